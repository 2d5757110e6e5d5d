using Microsoft.Extensions.Time.Testing;
using Understudy.Checks;

namespace Understudy.Tests.Checks;

public class StallWatchTests
{
    private readonly FakeTimeProvider _clock = new();

    private long Now => _clock.GetTimestamp();

    /// <summary>Ticks on time for <paramref name="span"/>, as the watch's thread would on an idle host.</summary>
    private void TicksFor(StallWatch watch, TimeSpan span)
    {
        for (TimeSpan t = TimeSpan.Zero; t < span; t += StallWatch.Tick)
        {
            _clock.Advance(StallWatch.Tick);
            watch.Ticked(Now);
        }
    }

    [Fact]
    public void Ticked_OnTimeOrSlightlyLate_IsNoPause()
    {
        using var watch = new StallWatch(_clock);
        var seen = new List<TimeSpan>();
        watch.Stalled += seen.Add;
        long from = Now;

        TicksFor(watch, TimeSpan.FromSeconds(2));
        _clock.Advance(StallWatch.Tick + StallWatch.MinPause - TimeSpan.FromMilliseconds(1));
        watch.Ticked(Now);

        Assert.Empty(seen);
        Assert.Equal(TimeSpan.Zero, watch.LongestPauseWithin(from, Now));
    }

    [Fact]
    public void Ticked_AfterAGap_RaisesStalledWithItsLength()
    {
        using var watch = new StallWatch(_clock);
        var seen = new List<TimeSpan>();
        watch.Stalled += seen.Add;
        TicksFor(watch, TimeSpan.FromSeconds(1));

        _clock.Advance(TimeSpan.FromSeconds(3));
        watch.Ticked(Now);

        Assert.Equal([TimeSpan.FromSeconds(3)], seen);
    }

    /// <summary>Issue 13 item 5: a reconnect storm made the thread pool lag, and checks timed out against live members.</summary>
    [Fact]
    public void LongestOverloadWithin_ALateThreadPoolProbe_CountsWhileWaitingAndAfter()
    {
        using var watch = new StallWatch(_clock);
        long from = Now;
        Assert.True(watch.PoolProbeQueued(Now));
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.False(watch.PoolProbeQueued(Now)); // one probe at a time
        watch.PoolProbeRan(Now);
        Assert.Equal(TimeSpan.Zero, watch.LongestOverloadWithin(from, Now)); // 50 ms late is no overload

        Assert.True(watch.PoolProbeQueued(Now));
        long queued = Now;
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(TimeSpan.FromMilliseconds(400), watch.LongestOverloadWithin(from, Now)); // still waiting
        watch.PoolProbeRan(Now);
        long ran = Now;
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromMilliseconds(400), watch.LongestOverloadWithin(queued, ran));
        Assert.Equal(TimeSpan.Zero, watch.LongestOverloadWithin(ran, Now));
    }

    [Fact]
    public void LongestPauseWithin_CountsOnlyPausesOverlappingTheSpan()
    {
        using var watch = new StallWatch(_clock);
        TicksFor(watch, TimeSpan.FromSeconds(1));
        long beforePause = Now;
        _clock.Advance(TimeSpan.FromSeconds(2));
        watch.Ticked(Now);
        long afterPause = Now;
        TicksFor(watch, TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        watch.Ticked(Now);
        long end = Now;

        Assert.Equal(TimeSpan.FromSeconds(2), watch.LongestPauseWithin(beforePause - 1, afterPause));
        Assert.Equal(TimeSpan.FromSeconds(2), watch.LongestPauseWithin(beforePause, end));
        Assert.Equal(TimeSpan.FromMilliseconds(500), watch.LongestPauseWithin(afterPause, end));
    }

    [Fact]
    public void LongestPauseWithin_APauseTheTickerHasNotSeenYet_Counts()
    {
        // After SIGCONT a check's continuation may run before the watch's thread: the gap since its last tick counts.
        using var watch = new StallWatch(_clock);
        TicksFor(watch, TimeSpan.FromSeconds(1));
        long checkStarted = Now;

        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(TimeSpan.FromSeconds(3), watch.LongestPauseWithin(checkStarted, Now));
    }
}
