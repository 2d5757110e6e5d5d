using Understudy.Core.Cluster;
using Understudy.Core.Failover;
using Understudy.Traffic;

namespace Understudy.Tests.Cluster;

public class RoutingLeaseTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(5);
    private static readonly string[] Three = ["ctl-a", "ctl-b", "ctl-c"];
    private static readonly Dictionary<string, long> Epochs = new() { ["web"] = 4, ["db"] = 2 };

    [Theory]
    [InlineData(-1.0, RouteGate.Open)]
    [InlineData(0.0, RouteGate.Open)]
    [InlineData(0.5, RouteGate.Hold)]
    [InlineData(4.9, RouteGate.Hold)]
    [InlineData(5.0, RouteGate.Closed)]
    public void Gate_StaleLease_HoldsForTheHoldThenCloses(double staleSeconds, RouteGate expected) =>
        Assert.Equal(expected, RoutingLease.Gate(TimeSpan.FromSeconds(staleSeconds), Hold, failsafe: false));

    [Fact]
    public void Gate_StaleButFailsafe_StaysOpen() =>
        Assert.Equal(RouteGate.Open, RoutingLease.Gate(TimeSpan.FromMinutes(10), Hold, failsafe: true));

    [Fact]
    public void Failsafe_EtcdLostByAMajorityWithTheSameEpochs_Holds()
    {
        bool holds = RoutingLease.Failsafe(Three, "ctl-a", Epochs, [new("ctl-b", false, new Dictionary<string, long>(Epochs))], out string why);

        Assert.True(holds);
        Assert.Equal("2 of 3 registered instances (ctl-a, ctl-b) cannot reach etcd and hold the same epochs; 2 needed", why);
    }

    [Fact]
    public void Failsafe_PeersStillReachEtcd_DoesNotHold_TheInstanceIsCutOff()
    {
        bool holds = RoutingLease.Failsafe(Three, "ctl-a", Epochs,
            [new("ctl-b", true, Epochs), new("ctl-c", true, Epochs)], out string why);

        Assert.False(holds);
        Assert.Equal("1 of 3 registered instances (ctl-a) cannot reach etcd and hold the same epochs; 2 needed (ctl-b reaches etcd; ctl-c reaches etcd)", why);
    }

    [Fact]
    public void Failsafe_PeerOnAnotherEpoch_DoesNotCount()
    {
        var newer = new Dictionary<string, long>(Epochs) { ["web"] = 5 };

        Assert.False(RoutingLease.Failsafe(Three, "ctl-a", Epochs, [new("ctl-b", false, newer)], out string why));
        Assert.Contains("ctl-b holds other epochs", why);
    }

    [Fact]
    public void Failsafe_UnregisteredInstancesAndTheInstanceItself_CountOnce()
    {
        bool holds = RoutingLease.Failsafe(Three, "ctl-a", Epochs,
            [new("ctl-a", false, Epochs), new("ctl-x", false, Epochs), new("ctl-y", false, Epochs)], out _);

        Assert.False(holds);
    }

    [Fact]
    public void RouteBoard_Gate_HoldsThenClosesAndReopensOnTheDecidedRoute()
    {
        var board = new RouteBoard(new TrafficRoute(3, "web-b", Hold: false, TargetDown: false));

        board.SetGate(RouteGate.Hold);
        Assert.Equal(new TrafficRoute(3, null, Hold: true, TargetDown: false), board.Current.Route);
        board.Publish(new TrafficRoute(4, "web-c", Hold: false, TargetDown: false));
        Assert.Equal(new TrafficRoute(4, null, Hold: true, TargetDown: false), board.Current.Route);
        board.SetGate(RouteGate.Closed);
        Assert.Equal(new TrafficRoute(4, null, Hold: false, TargetDown: false), board.Current.Route);
        board.SetGate(RouteGate.Open);
        Assert.Equal(new TrafficRoute(4, "web-c", Hold: false, TargetDown: false), board.Current.Route);
        Assert.False(board.Publish(new TrafficRoute(3, "web-b", Hold: false, TargetDown: false)));
    }
}
