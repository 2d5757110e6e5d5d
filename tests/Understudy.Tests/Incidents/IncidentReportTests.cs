using Understudy.Core.Journal;
using Understudy.Incidents;
using static Understudy.Tests.Incidents.IncidentJournals;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Incidents;

public class IncidentReportTests
{
    private static string Render(List<JournalEvent> events, long epoch) =>
        IncidentReport.Render(IncidentTimeline.Find("web", epoch, events) ?? throw new InvalidOperationException($"no incident for epoch {epoch}"));

    /// <summary>Each line's position, asserting that all are there and in this order.</summary>
    private static void InOrder(string md, params string[] lines)
    {
        var at = lines.Select(l => md.IndexOf(l, StringComparison.Ordinal)).ToList();
        Assert.All(lines.Zip(at), p => Assert.True(p.Second >= 0, $"missing: {p.First}"));
        Assert.Equal(at.Order(), at);
    }

    [Fact]
    public void Render_AutomaticFailoverWithHooks_TimesEachPhaseFromTheFirstSuspicion()
    {
        string md = Render(AutomaticFailover(), 2);

        Assert.StartsWith("# Incident: failover of web, epoch 2 — ✅ completed\n", md);
        Assert.Contains("**kind**: failover (automatic); **from** web-a → **to** web-b; **epoch**: 1 → 2", md);
        Assert.Contains("- **When**: 2026-11-22, 12:00:00.000 → 12:00:05.200 UTC (5.2 s)", md);
        // The suspicion five minutes earlier cleared: it is not this outage's first sign.
        Assert.Contains("**First sign of failure**: 12:00:00.000 (+0 ms, member.suspected web-a)", md);
        InOrder(md,
            "| suspected (member.suspected) | 12:00:00.000 | 0 ms | +0 ms |",
            "| confirmed down (member.down) | 12:00:00.040 | 40 ms | +40 ms |",
            "| decided (failover.started) | 12:00:00.041 | 1 ms | +41 ms |",
            "| fenced (member.fenced) | 12:00:00.060 | 19 ms | +60 ms |",
            "| traffic switched (traffic.switched) | 12:00:00.075 | 15 ms | +75 ms |",
            "| completed (failover.completed) | 12:00:05.200 | 5125 ms | +5200 ms |");
        Assert.Contains("**RTO estimate: 75 ms**, from the first sign of failure (member.suspected) to traffic.switched", md);
        Assert.Contains("not what clients observed", md);
        Assert.Contains("Automatic: no person involved. The controller decided: primary web-a is down; failing over to web-b, the first healthy candidate", md);
    }

    [Fact]
    public void Render_AutomaticFailoverWithHooks_ListsHooksAlertsAndTheTimelineWindow()
    {
        string md = Render(AutomaticFailover(), 2);

        InOrder(md,
            "## Hooks",
            "| 12:00:00.180 | on_failover | 1 | echo web-a | 0 | 105 ms | ✅ |",
            "| 12:00:05.200 | on_failover | 2 | notify.sh web-a | 3 | 5020 ms | ❌ |",
            "## Alerts raised",
            "| 12:00:05.200 | warning | web-b | web failed over from web-a to web-b (epoch 2) |",
            "## Timeline",
            "| 12:00:00.000 | +0 ms | member.suspected | web-a | 1 | controller |",
            "| 12:00:05.200 | +5200 ms | alert.raised | web-b | 2 | controller |");
        Assert.Contains("Every event of web from 11:58:00.000 (2 minutes before the first phase) to the end.", md);
        Assert.DoesNotContain("11:55:00.000", md); // the cleared suspicion is before the two-minute lead-in
        Assert.DoesNotContain("12:01:00.000", md); // web-a back up after the end
    }

    [Fact]
    public void Render_HookKilledAtItsTimeout_SaysSoInsteadOfAnExitCode()
    {
        var events = AutomaticFailover();
        events[9] = (HookEvent)events[9] with { ExitCode = null, TimedOut = true };

        string md = Render(events, 2);

        Assert.Contains("| 12:00:05.200 | on_failover | 2 | notify.sh web-a | — (timed out) | 5020 ms | ❌ |", md);
    }

    [Fact]
    public void Render_ManualFailover_NamesRequesterApproverAndTheirWords()
    {
        string md = Render(ManualFailover(), 2);

        Assert.StartsWith("# Incident: failover of web, epoch 2 — ✅ completed\n", md);
        Assert.Contains("**kind**: failover (requested by alice)", md);
        Assert.Contains("Requested by **alice**: “web-a disk failed”; approved by **bob** “checked replication lag first” (request r-1).", md);
        InOrder(md,
            "| 12:00:30.000 | request.created | alice | web-a disk failed |",
            "| 12:00:35.000 | request.refused | alice | alice made request r-1 and cannot approve it |",
            "| 12:01:30.000 | request.approved | bob | checked replication lag first |",
            "| 12:01:30.000 | request.executing | alice | request r-1 is carried out: failover from web-a to web-b, approved by bob |",
            "| 12:01:30.050 | request.completed | controller |");
        // Waiting for people is part of the outage: a minute of it went to the approval.
        InOrder(md,
            "| confirmed down (member.down) | 12:00:00.000 | 0 ms | +0 ms |",
            "| requested (request.created) | 12:00:30.000 | 30000 ms | +30000 ms |",
            "| approved (request.approved) | 12:01:30.000 | 60000 ms | +90000 ms |",
            "| decided (failover.started) | 12:01:30.000 | 0 ms | +90000 ms |",
            "| fenced (member.fenced) | 12:01:30.020 | 20 ms | +90020 ms |",
            "| traffic switched (traffic.switched) | 12:01:30.050 | 30 ms | +90050 ms |");
        Assert.Contains("**RTO estimate: 90050 ms**", md);
        Assert.Contains("No hooks ran.", md);
        Assert.Contains("| 12:00:00.000 | critical | web-a | web: primary web-a is down and failover.mode is manual", md);
    }

    [Fact]
    public void Render_ManualFailover_TimelineStartsAtTheControllerRunNotBefore()
    {
        string md = Render(ManualFailover(), 2);

        Assert.Contains("Every event of web from 11:59:50.000 (the controller's start, less than 2 minutes before the first phase) to the end.", md);
        Assert.Contains("| 11:59:50.000 | -10000 ms | controller.started |", md);
        Assert.DoesNotContain("controller.stopped", md);
    }

    [Fact]
    public void Render_Switchover_IsTheOneThatMadeTheEpochAndCountsTheHold()
    {
        var events = Switchover();

        Incident incident = IncidentTimeline.Find("web", 4, events)!;
        string md = IncidentReport.Render(incident);

        Assert.Equal(IncidentKind.Switchover, incident.Kind);
        Assert.Equal("r-3", incident.RequestId); // not the abandoned r-2 a minute earlier
        Assert.StartsWith("# Incident: switchover of web, epoch 4 — ✅ completed\n", md);
        Assert.Contains("**kind**: switchover (requested by carol); **from** web-b → **to** web-a; **epoch**: 3 → 4", md);
        Assert.Contains("Requested by **carol**: “planned kernel update on web-b”; no approval was needed (request r-3).", md);
        InOrder(md,
            "| requested (request.created) | 12:00:00.000 | 0 ms | +0 ms |",
            "| decided (switchover.started) | 12:00:00.000 | 0 ms | +0 ms |",
            "| drained (member.fenced) | 12:00:02.000 | 2000 ms | +2000 ms |",
            "| traffic switched (traffic.switched) | 12:00:02.001 | 1 ms | +2001 ms |",
            "| completed (switchover.completed) | 12:00:02.100 | 99 ms | +2100 ms |");
        Assert.DoesNotContain("confirmed down", md);
        Assert.Contains("**New connections were held for up to 2001 ms**, from the start of the drain to traffic.switched", md);
        Assert.Contains("| 12:00:02.100 | on_switchover | 1 | echo moved | 0 | 99 ms | ✅ |", md);
        Assert.Contains("| 12:00:02.100 | info | web-a | web switched over from web-b to web-a (epoch 4) |", md);
    }

    [Fact]
    public void Find_UnknownEpoch_IsNullAndTheMessageListsTheEpochsThatHadOne()
    {
        List<JournalEvent> events = [.. AutomaticFailover(), .. Switchover()];

        Assert.Null(IncidentTimeline.Find("web", 9, events));
        Assert.Null(IncidentTimeline.Find("db", 2, events));
        Assert.Equal("web has no failover or switchover that created epoch 9; epochs created by one: 2 (failover), 4 (switchover)",
            IncidentTimeline.NotFound("web", 9, events));
        Assert.Equal("db has no failover or switchover that created epoch 2; its journal has none", IncidentTimeline.NotFound("db", 2, events));
    }

    [Fact]
    public void Render_FailoverUnderWay_SaysSoAndEstimatesNothing()
    {
        var events = AutomaticFailover().Take(7).ToList(); // up to member.fenced

        string md = Render(events, 2);

        Assert.StartsWith("# Incident: failover of web, epoch 2 — ⚠️ under way\n", md);
        Assert.Contains("- **Outcome**: ⚠️ under way: the journal's last event is at 12:00:00.060", md);
        Assert.Contains("**traffic switched**: not yet", md);
        Assert.Contains("| traffic switched | — | — | — |", md);
        Assert.Contains("Traffic was not switched yet: there is no recovery time to estimate.", md);
        Assert.Contains("**The failover is still under way**", md);
    }

    [Fact]
    public void Render_FailedFailover_GivesTheReason()
    {
        var events = AutomaticFailover().Take(6).ToList();
        events.Add(E(90, 2, EventTypes.FailoverFailed, "web-b", "fencing web-a failed (hook exited 1); web-b was not given traffic", Actors.Controller, ("from", "web-a"), ("to", "web-b")));

        string md = Render(events, 2);

        Assert.StartsWith("# Incident: failover of web, epoch 2 — ❌ failed\n", md);
        Assert.Contains("- **Outcome**: ❌ failed: fencing web-a failed (hook exited 1); web-b was not given traffic", md);
        Assert.Contains("| fenced | — | — | — |", md);
        Assert.Contains("| failed (failover.failed) | 12:00:00.090 | 49 ms | +90 ms |", md);
    }
}
