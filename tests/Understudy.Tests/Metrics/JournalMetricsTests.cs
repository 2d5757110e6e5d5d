using Understudy.Core.Journal;
using Understudy.Metrics;
using Understudy.Tests.Incidents;
using Understudy.Tests.Testing;
using static Understudy.Tests.Incidents.IncidentJournals;

namespace Understudy.Tests.Metrics;

public class JournalMetricsTests
{
    private static string Render(IEnumerable<JournalEvent> events)
    {
        var metrics = new JournalMetrics([Services.Http()]);
        foreach (JournalEvent e in events) metrics.Observe(e);
        var text = new PrometheusText();
        metrics.WriteTo(text);
        return text.ToString();
    }

    private static void HasLine(string text, string line) => Assert.Contains(line + "\n", text);

    [Fact]
    public void New_CreatesTheSeriesAlertsUseAtZero()
    {
        string text = Render([]);

        foreach (string kind in new[] { "failover", "switchover" })
        {
            foreach (string result in new[] { "completed", "failed" })
                HasLine(text, $"understudy_failovers_total{{service=\"web\",kind=\"{kind}\",result=\"{result}\"}} 0");
            HasLine(text, $"understudy_failover_duration_seconds_count{{service=\"web\",kind=\"{kind}\",phase=\"total\"}} 0");
        }
        foreach (string severity in new[] { "info", "warning", "critical" })
            HasLine(text, $"understudy_alerts_raised_total{{service=\"web\",severity=\"{severity}\"}} 0");
        // Families without series yet are still declared, so rules and dashboards can name them.
        HasLine(text, "# TYPE understudy_failover_last_rto_estimate_seconds gauge");
        HasLine(text, "# TYPE understudy_drills_total counter");
        HasLine(text, "# TYPE understudy_drill_last_rto_seconds gauge");
    }

    [Fact]
    public void Observe_AutomaticFailover_CountsItTimesItsPhasesAndKeepsItsRtoEstimate()
    {
        string text = Render(IncidentJournals.AutomaticFailover());

        HasLine(text, "understudy_failovers_total{service=\"web\",kind=\"failover\",result=\"completed\"} 1");
        HasLine(text, "understudy_failovers_total{service=\"web\",kind=\"failover\",result=\"failed\"} 0");
        HasLine(text, "understudy_failover_duration_seconds_bucket{service=\"web\",kind=\"failover\",phase=\"detection\",le=\"0.025\"} 0");
        HasLine(text, "understudy_failover_duration_seconds_bucket{service=\"web\",kind=\"failover\",phase=\"detection\",le=\"0.05\"} 1");
        HasLine(text, "understudy_failover_duration_seconds_sum{service=\"web\",kind=\"failover\",phase=\"fence\"} 0.019");
        HasLine(text, "understudy_failover_duration_seconds_sum{service=\"web\",kind=\"failover\",phase=\"switch\"} 0.015");
        HasLine(text, "understudy_failover_duration_seconds_sum{service=\"web\",kind=\"failover\",phase=\"total\"} 5.159");
        HasLine(text, "understudy_failover_duration_seconds_count{service=\"web\",kind=\"failover\",phase=\"total\"} 1");
        HasLine(text, "understudy_failover_last_rto_estimate_seconds{service=\"web\"} 0.075");
        HasLine(text, "understudy_alerts_raised_total{service=\"web\",severity=\"warning\"} 1");
    }

    [Fact]
    public void Observe_Switchovers_CountsTheAbandonedOneAsFailed()
    {
        string text = Render(IncidentJournals.Switchover());

        HasLine(text, "understudy_failovers_total{service=\"web\",kind=\"switchover\",result=\"completed\"} 1");
        HasLine(text, "understudy_failovers_total{service=\"web\",kind=\"switchover\",result=\"failed\"} 1");
        HasLine(text, "understudy_failover_duration_seconds_sum{service=\"web\",kind=\"switchover\",phase=\"drain\"} 2");
        HasLine(text, "understudy_alerts_raised_total{service=\"web\",severity=\"info\"} 1");
        Assert.DoesNotContain("understudy_failover_last_rto_estimate_seconds{", text);
    }

    [Fact]
    public void Observe_FailedFailover_CountsItWithoutATotalOrAnEstimate()
    {
        string text = Render([
            E(0, 1, EventTypes.MemberDown, "web-a", "down"),
            E(0, 2, EventTypes.FailoverStarted, "web-b", "failing over", Actors.Controller, ("from", "web-a"), ("to", "web-b")),
            E(30, 2, EventTypes.MemberFenced, "web-a", "fenced"),
            E(530, 2, EventTypes.FailoverFailed, "web-b", "web-b went down before traffic was switched to it"),
            E(530, 2, EventTypes.AlertRaised, "web-b", "web: web-b went down", Actors.Controller, ("severity", "critical"))]);

        HasLine(text, "understudy_failovers_total{service=\"web\",kind=\"failover\",result=\"failed\"} 1");
        HasLine(text, "understudy_failover_duration_seconds_count{service=\"web\",kind=\"failover\",phase=\"fence\"} 1");
        HasLine(text, "understudy_failover_duration_seconds_count{service=\"web\",kind=\"failover\",phase=\"total\"} 0");
        HasLine(text, "understudy_alerts_raised_total{service=\"web\",severity=\"critical\"} 1");
        Assert.DoesNotContain("understudy_failover_last_rto_estimate_seconds{", text);
    }

    [Fact]
    public void Observe_DrillCompleted_CountsVerdictsAndKeepsEachDrillsLastRto()
    {
        JournalEvent Drill(int ms, string name, string verdict, object? rtoMs) =>
            E(ms, 1, EventTypes.DrillCompleted, null, $"drill {name}: {verdict}", "drill", ("name", name), ("verdict", verdict), ("rto_ms", rtoMs));

        string text = Render([
            Drill(0, "web primary crash", "passed", 1200L),
            Drill(60_000, "web primary crash", "failed", 6500.5),
            Drill(120_000, "rolling restart", "aborted", null)]);

        HasLine(text, "understudy_drills_total{service=\"web\",verdict=\"passed\"} 1");
        HasLine(text, "understudy_drills_total{service=\"web\",verdict=\"failed\"} 1");
        HasLine(text, "understudy_drills_total{service=\"web\",verdict=\"aborted\"} 1");
        HasLine(text, "understudy_drill_last_rto_seconds{service=\"web\",drill=\"web primary crash\"} 6.5005");
        Assert.DoesNotContain("drill=\"rolling restart\"", text);
    }
}
