using Understudy.Core.Failover;
using Understudy.Traffic;

namespace Understudy.Tests.Traffic;

public class RouteBoardTests
{
    private static readonly TrafficRoute Epoch1 = new(1, "web-a", false, false);

    [Fact]
    public void Publish_NewRoute_ReplacesItAndSignalsWaiters()
    {
        var board = new RouteBoard(Epoch1);
        Task changed = board.Current.Changed;

        Assert.True(board.Publish(new TrafficRoute(2, "web-b", false, false)));

        Assert.True(changed.IsCompleted);
        Assert.Equal("web-b", board.Current.Route.Target);
        Assert.False(board.Current.Changed.IsCompleted);
    }

    [Fact]
    public void Publish_SameRoute_IsANoOpThatWakesNobody()
    {
        var board = new RouteBoard(Epoch1);
        Task changed = board.Current.Changed;

        Assert.False(board.Publish(Epoch1 with { }));
        Assert.False(changed.IsCompleted);
    }

    [Fact]
    public void Publish_OlderEpoch_IsRefusedAsAFencingToken()
    {
        var board = new RouteBoard(new TrafficRoute(3, "web-c", false, false));

        Assert.False(board.Publish(new TrafficRoute(2, "web-a", false, false)));
        Assert.Equal("web-c", board.Current.Route.Target);
    }
}
