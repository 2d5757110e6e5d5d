using Understudy.Core.Detection;

namespace Understudy.Tests.Detection;

public class HealthTrackerTests
{
    private static HealthTracker Feed(HealthTracker t, string pattern, int fall = 3, int rise = 2)
    {
        foreach (char c in pattern)
            t = t.Observe(c is '+', c is 'p' ? CheckOrigin.Passive : CheckOrigin.Active, fall, rise);
        return t;
    }

    [Fact]
    public void Observe_FirstSuccess_MarksUnknownMemberUp() =>
        Assert.Equal(Health.Up, Feed(HealthTracker.Initial, "+").Health);

    [Theory]
    [InlineData("--", Health.Up)]
    [InlineData("---", Health.Down)]
    [InlineData("--+--", Health.Up)]
    [InlineData("-+-+-+", Health.Up)]
    public void Observe_FailuresInARow_MarkDownOnlyAtFall(string afterUp, Health expected) =>
        Assert.Equal(expected, Feed(Feed(HealthTracker.Initial, "+"), afterUp).Health);

    [Theory]
    [InlineData("+", Health.Down)]
    [InlineData("++", Health.Up)]
    [InlineData("+-++", Health.Up)]
    [InlineData("+-+", Health.Down)]
    public void Observe_SuccessesInARow_BringDownMemberBackOnlyAtRise(string afterDown, Health expected) =>
        Assert.Equal(expected, Feed(Feed(HealthTracker.Initial, "+---"), afterDown).Health);

    [Fact]
    public void Observe_PassiveFailuresAlone_NeverMarkDown() =>
        Assert.Equal(Health.Up, Feed(Feed(HealthTracker.Initial, "+"), "pppppppp", fall: 1).Health);

    [Fact]
    public void Observe_PassiveFailure_CountsTowardFall()
    {
        var t = Feed(Feed(HealthTracker.Initial, "+"), "p");
        Assert.Equal(2, t.ChecksToConfirmDown(3));
        Assert.Equal(Health.Down, Feed(t, "--").Health);
    }

    [Fact]
    public void ChecksToConfirmDown_WithFallOne_IsOneActiveCheck() =>
        Assert.Equal(1, Feed(Feed(HealthTracker.Initial, "+"), "p", fall: 1).ChecksToConfirmDown(1));
}
