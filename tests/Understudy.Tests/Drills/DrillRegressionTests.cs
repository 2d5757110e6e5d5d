using Understudy.Core.Drills;
using Understudy.Core.Journal;

namespace Understudy.Tests.Drills;

public class DrillRegressionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    private static DrillCompleted Run(int day, double? recoveryMs, string verdict = "passed", int? lost = 0) =>
        new("web crash", verdict, 0, $"/r/{day}/report.md", recoveryMs, lost, 100) { Time = T0.AddDays(day), Id = day };

    private static DrillCompleted[] Passed(params double[] recoveryMs) => [.. recoveryMs.Select((ms, i) => Run(i, ms))];

    [Theory]
    // Median 1000 ms: the limit is max(1200, 1100) = 1200.
    [InlineData(1200, false)]
    [InlineData(1201, true)]
    public void Judge_AboveTwentyPercentOverTheMedian_Regressed(double now, bool regressed)
    {
        DrillRegressed? r = DrillRegression.Judge(Run(10, now), Passed(900, 1000, 1100));

        Assert.Equal(regressed, r is not null);
        if (r is null) return;
        Assert.Equal(("recovery_time_ms", now, 1000.0, 1200.0, 3, "/r/10/report.md"), (r.Measure, r.Value, r.Baseline, r.Limit, r.Runs, r.Report));
        Assert.Contains("recovery took 1201 ms, above 1200 ms (the median of its last 3 passed runs is 1000 ms", r.Reason);
    }

    [Theory]
    // Median 200 ms: 1.2 × 200 = 240 is less than 200 + 100, so a fast drill is not flagged for noise.
    [InlineData(300, false)]
    [InlineData(301, true)]
    public void Judge_FastDrill_NeedsAHundredMillisecondsMore(double now, bool regressed) =>
        Assert.Equal(regressed, DrillRegression.Judge(Run(10, now), Passed(150, 200, 250)) is not null);

    [Fact]
    public void Judge_FewerThanThreePassedRuns_NotYet()
    {
        DrillCompleted[] earlier = [Run(0, 100), Run(1, 100), Run(2, 100, "failed"), Run(3, null)];

        Assert.Null(DrillRegression.Judge(Run(10, 5000), earlier));
    }

    [Fact]
    public void Judge_OnlyTheLastFivePassedRunsCount()
    {
        // Five slow runs long ago, five fast ones since: the baseline is the fast ones' median, 100 ms.
        DrillCompleted[] earlier = [.. Enumerable.Range(0, 5).Select(d => Run(d, 5000)), .. Enumerable.Range(5, 5).Select(d => Run(d, 100))];

        DrillRegressed r = DrillRegression.Judge(Run(20, 1000), earlier.Reverse())!;

        Assert.Equal((100.0, 5), (r.Baseline, r.Runs));
    }

    [Fact]
    public void Judge_LostWritesWhereNoneWereLost_Regressed()
    {
        DrillRegressed r = DrillRegression.Judge(Run(10, 1000, lost: 3), [Run(0, 1000)])!;

        Assert.Equal(("lost_acknowledged_writes", 3.0, 1), (r.Measure, r.Value, r.Runs));
        Assert.Contains("3 acknowledged writes were lost, where its last 1 passed run lost none", r.Reason);
    }

    [Fact]
    public void Judge_LostWritesAsBefore_OrNoWriteProbe_NotFlagged()
    {
        Assert.Null(DrillRegression.Judge(Run(10, 1000, lost: 3), [Run(0, 1000, lost: 2)]));
        Assert.Null(DrillRegression.Judge(Run(10, 1000, lost: 3), [Run(0, 1000, lost: null)]));
        Assert.Null(DrillRegression.Judge(Run(10, 1000, lost: null), [Run(0, 1000)]));
    }

    [Theory]
    [InlineData("aborted")] // no measurement
    [InlineData("failed")]  // already alerted as an error; a regression warning under the same key would downgrade it
    public void Judge_RunThatDidNotPass_IsNotJudged(string verdict)
    {
        Assert.Null(DrillRegression.Judge(Run(10, 9000, verdict, lost: 5), Passed(100, 100, 100)));
    }
}
