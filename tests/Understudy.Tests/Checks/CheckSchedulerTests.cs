using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Understudy.Checks;
using Understudy.Core.Detection;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Checks;

public class CheckSchedulerTests
{
    private static readonly MemberSpec Member = new("web-a", new HostPort("127.0.0.1", 1));
    private static readonly CheckSpec Spec = new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300), 3, 2);

    /// <summary>A check whose outcome the test sets; it answers at once or never (to time out).</summary>
    private sealed class ScriptedCheck : IHealthCheck
    {
        public volatile bool Ok = true;
        public volatile bool Hang;
        public volatile Exception? Throws;
        public int Calls;

        public async Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            if (Hang) await Task.Delay(Timeout.Infinite, ct);
            if (Throws is { } e) throw e;
            return Ok ? new CheckOutcome(true, "ok") : new CheckOutcome(false, "connection refused");
        }

        /// <summary>Set before the harness starts: the warm-up never ends by itself.</summary>
        public volatile bool HangWarmUp;
        public int WarmUps;

        public async Task WarmUpAsync(MemberSpec member, CancellationToken ct)
        {
            Interlocked.Increment(ref WarmUps);
            if (HangWarmUp) await Task.Delay(Timeout.Infinite, ct);
        }
    }

    /// <summary>
    /// FakeTimeProvider and two things these tests need of it besides. The timers still to fire, so a test advances only
    /// once the scheduler sleeps: an advance between its reckoning of the wait and its arming of the delay would move the
    /// delay's end. And an odd timestamp frequency, so a tick/timestamp mix-up in the scheduler's own arithmetic
    /// (<c>TotalSeconds * TimestampFrequency</c>) shows; FakeTimeProvider's own frequency equals TimeSpan.TicksPerSecond.
    /// </summary>
    private sealed class Clock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int _waiting;

        public int WaitingTimers => Volatile.Read(ref _waiting);

        public override long TimestampFrequency => 3_000_017;

        public override long GetTimestamp() => (long)((Int128)GetUtcNow().UtcTicks * TimestampFrequency / TimeSpan.TicksPerSecond);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new Watched(this);
            timer.Inner = base.CreateTimer(s => { timer.Fired(); callback(s); }, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timer.Change(dueTime, period);
            return timer;
        }

        /// <summary>FakeTimeProvider's timer, counted among the waiting from arming until it fires once (unless periodic) or is disarmed.</summary>
        private sealed class Watched(Clock clock) : ITimer
        {
            public ITimer Inner = null!;
            private int _armed;
            private volatile bool _periodic;

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                _periodic = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan;
                Arm(dueTime != Timeout.InfiniteTimeSpan);
                return Inner.Change(dueTime, period);
            }

            public void Fired()
            {
                if (!_periodic) Arm(false);
            }

            public void Dispose()
            {
                Arm(false);
                Inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }

            private void Arm(bool armed)
            {
                int now = armed ? 1 : 0;
                if (Interlocked.Exchange(ref _armed, now) != now) Interlocked.Add(ref clock._waiting, armed ? 1 : -1);
            }
        }
    }

    private sealed class Harness : IAsyncDisposable
    {
        public readonly Clock Clock = new(Services.T0);
        public readonly ScriptedCheck Check = new();
        public readonly BlockingCollection<CheckResult> Results = [];
        public readonly CheckScheduler Scheduler;
        public readonly StallWatch Stalls;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public readonly Understudy.Traffic.MemberProgress Progress = new([Member.Name]);

        public Harness(bool watchStalls = false, bool hangWarmUp = false, TimeSpan phase = default, TimeSpan wakeStep = default)
        {
            Check.HangWarmUp = hangWarmUp;
            Stalls = new StallWatch(Clock);
            Scheduler = new CheckScheduler(Member, Spec, Check, Clock, Results.Add, watchStalls ? Stalls : null, Progress, phase, wakeStep: wakeStep);
            _run = Task.Run(() => Scheduler.RunAsync(_stop.Token));
        }

        /// <summary>Waits until the scheduler sleeps on the clock, so advancing it is not lost.</summary>
        public async Task SleepingAsync()
        {
            for (int i = 0; i < 1000 && Clock.WaitingTimers == 0; i++) await Task.Delay(5);
            Assert.True(Clock.WaitingTimers > 0, "the scheduler never waited on the clock");
        }

        public CheckResult Next()
        {
            Assert.True(Results.TryTake(out CheckResult? r, TimeSpan.FromSeconds(10)), "no check result within 10 s");
            return r!;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
        }
    }

    [Fact]
    public async Task RunAsync_ChecksAtEachInterval_NotBefore()
    {
        await using var h = new Harness();
        Assert.Equal(Services.T0, h.Next().At);
        await h.SleepingAsync();

        h.Clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(h.Results.TryTake(out _, TimeSpan.FromMilliseconds(100)));

        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Services.T0.AddSeconds(1), h.Next().At);
    }

    [Fact]
    public async Task RunAsync_WithAPhase_FirstCheckAtOnceThenEveryIntervalShiftedByThePhase()
    {
        await using var h = new Harness(phase: TimeSpan.FromMilliseconds(300));
        Assert.Equal(Services.T0, h.Next().At);
        await h.SleepingAsync();

        h.Clock.Advance(TimeSpan.FromMilliseconds(1299));
        Assert.False(h.Results.TryTake(out CheckResult? early, TimeSpan.FromMilliseconds(100)), $"a check at {early?.At:O}");
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Services.T0.AddMilliseconds(1300), h.Next().At);

        await h.SleepingAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Services.T0.AddMilliseconds(2300), h.Next().At);
    }

    [Fact]
    public async Task RunAsync_ACheckStartedLate_TheNextKeepsItsPlaceInTheInterval()
    {
        await using var h = new Harness();
        h.Next();
        await h.SleepingAsync();

        // The timer fires 300 ms late (a loaded host): that check runs at 1.3 s, the next at 2 s all the same.
        h.Clock.Advance(TimeSpan.FromMilliseconds(1300));
        Assert.Equal(Services.T0.AddMilliseconds(1300), h.Next().At);
        await h.SleepingAsync();
        h.Clock.Advance(TimeSpan.FromMilliseconds(699));
        Assert.False(h.Results.TryTake(out _, TimeSpan.FromMilliseconds(100)));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Services.T0.AddMilliseconds(2000), h.Next().At);
    }

    [Fact]
    public async Task RunAsync_OnAWakeGrid_FirstCheckAtOnceThenAtTheGridPointAfterEachDueTime()
    {
        await using var h = new Harness(wakeStep: TimeSpan.FromMilliseconds(10));
        Assert.Equal(Services.T0, h.Next().At);
        await h.SleepingAsync();

        // The clock's odd frequency puts the due time (T0 + 1 s) off the grid, 1.6 ms before its next point.
        h.Clock.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.False(h.Results.TryTake(out _, TimeSpan.FromMilliseconds(100)));
        h.Clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(Services.T0.AddMilliseconds(1009), h.Next().At);
    }

    [Fact]
    public void PhaseOf_ManyMembers_SpreadOverTheInterval()
    {
        var interval = TimeSpan.FromSeconds(1);
        var slots = Enumerable.Range(0, 2000).Select(i => CheckScheduler.PhaseOf($"svc-{i / 2}", $"m-{i % 2}", interval))
            .GroupBy(p => (int)(p.TotalMilliseconds / 100)).ToDictionary(g => g.Key, g => g.Count());

        // Ten slots of 100 ms, about 200 each; all at once would be 2000 in one.
        Assert.Equal(10, slots.Count);
        Assert.All(slots.Values, n => Assert.InRange(n, 120, 280));
    }

    [Fact]
    public async Task RunAsync_WarmsUpOnceBeforeTheFirstCheck_AndDoesNotReportIt()
    {
        await using var h = new Harness();

        CheckResult first = h.Next();

        Assert.Equal((1, 1, Services.T0), (h.Check.WarmUps, h.Check.Calls, first.At));
        await h.SleepingAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        h.Next();
        Assert.Equal(1, h.Check.WarmUps);
    }

    /// <summary>Issue 13 item 8: the warm-up is untimed by the check's timeout, but a member that never answers it is checked after the limit.</summary>
    [Fact]
    public async Task RunAsync_WarmUpHangs_ChecksBeginAtTheWarmUpLimit()
    {
        await using var h = new Harness(hangWarmUp: true);
        await h.SleepingAsync();
        h.Clock.Advance(Spec.Timeout * 2); // far beyond a check's timeout: nothing is reported yet
        Assert.False(h.Results.TryTake(out _, TimeSpan.FromMilliseconds(100)));

        h.Clock.Advance(CheckScheduler.WarmUpLimit - Spec.Timeout * 2);

        Assert.True(h.Next().Ok);
        Assert.Equal(1, h.Check.Calls);
    }

    /// <summary>Issue 13 item 5: under a reconnect storm a live, busy primary timed its checks out and was failed over.</summary>
    [Fact]
    public async Task RunAsync_TimeoutWhileTheMemberAnsweredClients_IsDiscardedAsBusy()
    {
        await using var h = new Harness();
        h.Next();
        h.Check.Hang = true;
        await h.SleepingAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForCallsAsync(h, 2);

        h.Progress.Answered(Member.Name, h.Clock.GetTimestamp()); // bytes from the member reached a client meanwhile
        h.Clock.Advance(TimeSpan.FromMilliseconds(300));
        for (int i = 0; i < 1000 && h.Scheduler.Discarded == 0; i++) await Task.Delay(10);

        Assert.Equal(1, h.Scheduler.Discarded);
        Assert.False(h.Results.TryTake(out _, TimeSpan.FromMilliseconds(50)));
    }

    /// <summary>A controller that stays busy (or a member that trickles bytes while hung) may delay detection, never hide it.</summary>
    [Fact]
    public async Task RunAsync_TimeoutsDiscardedTwiceFallInARow_TheNextCountsAsAFailure()
    {
        await using var h = new Harness();
        h.Next();
        h.Check.Hang = true;
        for (int round = 1; round <= 2 * Spec.Fall + 1; round++)
        {
            await h.SleepingAsync();
            h.Clock.Advance(TimeSpan.FromMilliseconds(round == 1 ? 1000 : 700)); // start to start: the interval less the 300 ms timeout
            await WaitForCallsAsync(h, round + 1);
            h.Progress.Answered(Member.Name, h.Clock.GetTimestamp());
            h.Clock.Advance(TimeSpan.FromMilliseconds(300));
            if (round <= 2 * Spec.Fall)
                for (int i = 0; i < 1000 && h.Scheduler.Discarded < round; i++) await Task.Delay(10);
        }

        CheckResult counted = h.Next();
        Assert.Equal(2 * Spec.Fall, h.Scheduler.Discarded);
        Assert.False(counted.Ok);
        Assert.True(counted.TimedOut);
    }

    /// <summary>Issue 17: a controller out of descriptors cannot open the check's socket; that must not fail over a healthy primary.</summary>
    [Fact]
    public async Task RunAsync_CheckFailsForWantOfDescriptorsHere_IsNotReported_AndTheChecksGoOn()
    {
        await using var h = new Harness();
        h.Next();
        h.Check.Throws = new HttpRequestException("", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.TooManyOpenSockets));
        int rounds = 2 * Spec.Fall + 2; // beyond what marks a member down, and beyond the discards allowed in a row
        for (int round = 1; round <= rounds; round++)
        {
            await h.SleepingAsync();
            h.Clock.Advance(Spec.Interval);
            await WaitForCallsAsync(h, round + 1);
        }
        Assert.False(h.Results.TryTake(out CheckResult? reported, TimeSpan.FromMilliseconds(100)), reported?.Detail);

        h.Check.Throws = new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused);
        await h.SleepingAsync();
        h.Clock.Advance(Spec.Interval);

        CheckResult refused = h.Next();
        Assert.Equal((false, "connection refused", 0), (refused.Ok, refused.Detail, h.Scheduler.Discarded));
    }

    [Fact]
    public async Task RunAsync_CheckHangs_FailsAtTheTimeout()
    {
        await using var h = new Harness();
        h.Next();
        h.Check.Hang = true;
        await h.SleepingAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForCallsAsync(h, 2);

        h.Clock.Advance(TimeSpan.FromMilliseconds(300));

        CheckResult r = h.Next();
        Assert.Equal((false, "timeout after 300 ms"), (r.Ok, r.Detail));
        Assert.Equal(300, r.Duration.TotalMilliseconds, precision: 0);
    }

    [Fact]
    public async Task RunAsync_TimeoutSpanningAPauseOfThisProcess_IsDiscardedNotCountedAgainstTheMember()
    {
        await using var h = new Harness(watchStalls: true);
        h.Next();
        h.Check.Hang = true;
        await h.SleepingAsync();
        for (int i = 0; i < 50; i++)
        {
            h.Clock.Advance(StallWatch.Tick);
            h.Stalls.Ticked(h.Clock.GetTimestamp());
        }
        await WaitForCallsAsync(h, 2);
        h.Check.Hang = false;

        h.Clock.Advance(TimeSpan.FromSeconds(3)); // the process stood still: no tick, the check's timeout ran out meanwhile
        CheckResult? next = null;
        for (int i = 0; i < 100 && next is null; i++)
        {
            h.Stalls.Ticked(h.Clock.GetTimestamp()); // the watch's thread runs again
            if (!h.Results.TryTake(out next, TimeSpan.FromMilliseconds(20))) h.Clock.Advance(StallWatch.Tick);
        }

        Assert.NotNull(next);
        Assert.True(next.Ok, next.Detail);
        Assert.InRange(h.Scheduler.Discarded, 1, 2); // the timed-out check, and one begun before the watch's thread saw the pause end
    }

    [Fact]
    public async Task Confirm_RunsBackToBackWithoutWaitingForTheInterval_StopsAtFailCount()
    {
        await using var h = new Harness();
        h.Next();
        h.Check.Ok = false;

        h.Scheduler.Confirm(2);

        var first = h.Next();
        var second = h.Next();
        Assert.Equal((Services.T0, Services.T0), (first.At, second.At));
        Assert.False(first.Ok || second.Ok);
        Assert.False(h.Results.TryTake(out _, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Confirm_FirstConfirmingCheckPasses_StopsThere()
    {
        await using var h = new Harness();
        h.Next();

        h.Scheduler.Confirm(3);

        Assert.True(h.Next().Ok);
        Assert.False(h.Results.TryTake(out _, TimeSpan.FromMilliseconds(100)));
        Assert.Equal(2, h.Check.Calls);
    }

    private static async Task WaitForCallsAsync(Harness h, int calls)
    {
        for (int i = 0; i < 1000 && Volatile.Read(ref h.Check.Calls) < calls; i++) await Task.Delay(10);
        Assert.True(h.Check.Calls >= calls, $"expected {calls} calls, saw {h.Check.Calls}");
    }
}
