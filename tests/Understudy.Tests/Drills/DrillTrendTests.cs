using System.Xml.Linq;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Reports;

namespace Understudy.Tests.Drills;

public class DrillTrendTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private static long _id;

    private static DrillCompleted Run(string service, string name, double recoveryMs, string verdict = "passed", double? rtoTarget = 5000, double? recoveryTarget = 8000) =>
        new(name, verdict, recoveryMs / 2, null, recoveryMs, 0, 100, rtoTarget, recoveryTarget) { Service = service, Id = ++_id, Time = T0.AddDays(_id) };

    private static DrillRegressed Regressed(string service, string name) =>
        new(name, "recovery_time_ms", 1300, 1000, 1200, 3) { Service = service, Id = ++_id, Time = T0.AddDays(_id), Reason = $"drill '{name}' regressed" };

    [Fact]
    public void From_TwoDrillsOfTwoServices_OneTrendEachOldestFirstKeepingTheLastRuns()
    {
        JournalEvent[] events = [Run("web", "crash", 900), Run("db", "kill", 2000), Run("web", "crash", 1000), Run("web", "crash", 1100), Run("web", "dns", 50)];

        var trends = DrillTrend.From(events.Reverse(), runs: 2);

        Assert.Equal([("db", "kill", 1), ("web", "crash", 2), ("web", "dns", 1)], trends.Select(t => (t.Service, t.Name, t.Runs.Count)));
        Assert.Equal([1000.0, 1100.0], trends[1].Runs.Select(r => r.Run.RecoveryTimeMs!.Value));
    }

    [Fact]
    public void From_ARegression_BelongsToTheRunOfItsDrillJournaledJustBeforeIt()
    {
        DrillCompleted first = Run("web", "crash", 1000), slow = Run("web", "crash", 1300), other = Run("web", "dns", 40);
        DrillRegressed regressed = Regressed("web", "crash");

        var trend = DrillTrend.From([first, slow, other, regressed], runs: 30).Single(t => t.Name == "crash");

        Assert.Equal([null, regressed], trend.Runs.Select(r => r.Regression));
    }

    [Fact]
    public void Targets_AreTheNewestRunsThatSentThem()
    {
        var trend = DrillTrend.From([Run("web", "crash", 900, rtoTarget: 4000), Run("web", "crash", 900, rtoTarget: 3000, recoveryTarget: null), Run("web", "crash", 900, rtoTarget: null)], 30)[0];

        Assert.Equal((3000.0, 8000.0), (trend.RtoTargetMs, trend.RecoveryTargetMs));
    }

    [Fact]
    public void Chart_EachRunATooltippedGroup_FailedHollow_RegressionMarked_TargetsDashed()
    {
        var trend = DrillTrend.From([Run("web", "crash & burn", 1000), Run("web", "crash & burn", 1300), Regressed("web", "crash & burn"), Run("web", "crash & burn", 9000, "failed")], 30)[0];

        XElement svg = XElement.Parse(DrillTrendChart.Render(trend));
        XNamespace ns = svg.Name.Namespace;
        var runs = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "run").ToList();

        Assert.Equal(["passed", "passed", "failed"], runs.Select(g => (string?)g.Attribute("data-verdict")));
        Assert.Equal([false, true, false], runs.Select(g => g.Descendants(ns + "path").Any(p => (string?)p.Attribute("class") == "regressed")));
        Assert.Contains("9000 ms", runs[2].Element(ns + "title")!.Value);
        Assert.All(runs[2].Elements(ns + "circle"), c => Assert.Equal("#fff", (string?)c.Attribute("fill")));
        Assert.Equal(["rto", "recovery"], svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "target").Select(g => (string?)g.Attribute("data-target")));
        Assert.Equal(2, svg.Descendants(ns + "path").Count(p => (string?)p.Attribute("class") == "series"));
        Assert.Contains("drill 'crash & burn' of web over its last 3 runs", svg.Element(ns + "title")!.Value);
    }

    [Fact]
    public void Chart_EveryValueAndTargetInsideThePlot()
    {
        var trend = DrillTrend.From([Run("web", "crash", 12000, rtoTarget: 30000, recoveryTarget: null), Run("web", "crash", 0)], 30)[0];

        XElement svg = XElement.Parse(DrillTrendChart.Render(trend));
        var ys = svg.Descendants(svg.Name.Namespace + "g").Where(g => (string?)g.Attribute("class") == "run")
            .SelectMany(g => g.Elements(svg.Name.Namespace + "circle")).Select(c => double.Parse((string)c.Attribute("cy")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.All(ys, y => Assert.InRange(y, 14, 164));
        Assert.Contains(ys, y => y == 164); // 0 ms sits on the floor
    }
}
