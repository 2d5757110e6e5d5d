using Understudy.Core.Drills;

namespace Understudy.Tests.Drills;

/// <summary>max_error_rate and max_p99 over exact attempt sequences: one attempt every 100 ms.</summary>
public sealed class StopWindowsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly ErrorRateStop HalfInOneSecond = new(0.5, TimeSpan.FromSeconds(1));
    private static readonly LatencyStop P99Of200Ms = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

    /// <summary>Attempt i starts at i × 100 ms and takes <paramref name="latencyMs"/>(i); <paramref name="ok"/>(i) says whether it succeeded.</summary>
    private static List<ProbeSample> Attempts(int count, Func<int, bool> ok, Func<int, int>? latencyMs = null) =>
        [.. Enumerable.Range(0, count).Select(i => new ProbeSample(i, T0.AddMilliseconds(i * 100),
            T0.AddMilliseconds(i * 100 + (latencyMs?.Invoke(i) ?? 10)), ok(i), ok(i) ? ErrorKind.None : ErrorKind.Refused))];

    private static DateTimeOffset At(int ms) => T0.AddMilliseconds(ms);

    [Fact]
    public void ErrorRate_AboveTheRate_GivesTheFigures()
    {
        // Attempts 10–19 end in (950 ms, 1950 ms]; 14–19 fail: 6 of 10.
        var samples = Attempts(20, i => i < 14);

        Assert.Equal("stop condition max_error_rate: probe web failed 6 of 10 attempts in the last 1 s (60 %), above 50 %",
            StopWindows.ErrorRate("web", samples, T0, At(1_950), HalfInOneSecond));
    }

    [Fact]
    public void ErrorRate_ExactlyAtTheRate_DoesNotStop()
    {
        var samples = Attempts(20, i => i < 15);

        Assert.Null(StopWindows.ErrorRate("web", samples, T0, At(1_950), HalfInOneSecond));
    }

    [Fact]
    public void ErrorRate_AttemptsThatEndedBeforeTheWindow_DoNotCount()
    {
        // Ten failures, then ten successes: at 1950 ms the window holds only the successes, at 1010 ms nine failures.
        var samples = Attempts(20, i => i >= 10);

        Assert.Null(StopWindows.ErrorRate("web", samples, T0, At(1_950), HalfInOneSecond));
        Assert.NotNull(StopWindows.ErrorRate("web", samples, T0, At(1_010), HalfInOneSecond));
    }

    [Fact]
    public void ErrorRate_BeforeTheProbesRanAWholeWindow_IsNotJudged()
    {
        // Everything failed, but the probes started at 500 ms: at 1400 ms they have run 0.9 s of a 1 s window.
        var samples = Attempts(15, _ => false).Where(s => s.Start >= At(500)).ToList();

        Assert.Null(StopWindows.ErrorRate("web", samples, At(500), At(1_400), HalfInOneSecond));
        Assert.NotNull(StopWindows.ErrorRate("web", samples, At(500), At(1_500), HalfInOneSecond));
    }

    [Fact]
    public void ErrorRate_FewerThanTenAttemptsInTheWindow_IsNotJudged()
    {
        // At 1850 ms, attempts 9–18 end in the last second, only 10–18 in the last 900 ms.
        var samples = Attempts(19, _ => false);

        Assert.Null(StopWindows.ErrorRate("web", samples, T0, At(1_850), HalfInOneSecond with { Window = TimeSpan.FromMilliseconds(900) }));
        Assert.NotNull(StopWindows.ErrorRate("web", samples, T0, At(1_850), HalfInOneSecond));
    }

    [Fact]
    public void P99_ASlowAttemptAmongTen_IsTheP99()
    {
        // Attempts 10–19 end within the window; attempt 15 took 450 ms, the others 10 ms.
        var samples = Attempts(20, _ => true, i => i == 15 ? 450 : 10);

        Assert.Equal("stop condition max_p99: probe web had a p99 latency of 450 ms over its 10 successful attempts in the last 1 s, above 200 ms",
            StopWindows.P99("web", samples, T0, At(1_950), P99Of200Ms));
    }

    [Fact]
    public void P99_OneSlowAttemptInAHundred_IsBelowTheP99()
    {
        // A 10 s window of 100 attempts: nearest-rank p99 is the 99th, so one slow attempt is not enough, two are.
        var one = Attempts(100, _ => true, i => i == 50 ? 900 : 10);
        var two = Attempts(100, _ => true, i => i is 50 or 60 ? 900 : 10);
        var window = P99Of200Ms with { Window = TimeSpan.FromSeconds(10) };

        Assert.Null(StopWindows.P99("web", one, T0, At(10_000), window));
        Assert.Contains("p99 latency of 900 ms over its 100 successful attempts", StopWindows.P99("web", two, T0, At(10_000), window));
    }

    [Fact]
    public void P99_FailuresAreNotLatency_AndTooFewSuccessesAreNotJudged()
    {
        // At 2250 ms attempts 10–19 end in the window, all taking 300 ms; attempt 19 failed in one case.
        List<ProbeSample> Slow(bool lastOk) => Attempts(20, i => i < 19 || lastOk, i => i >= 10 ? 300 : 10);

        Assert.Null(StopWindows.P99("web", Slow(lastOk: false), T0, At(2_250), P99Of200Ms));
        Assert.NotNull(StopWindows.P99("web", Slow(lastOk: true), T0, At(2_250), P99Of200Ms));
    }
}
