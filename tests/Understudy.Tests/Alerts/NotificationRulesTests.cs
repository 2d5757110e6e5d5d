using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Alerts.AlertEvents;

namespace Understudy.Tests.Alerts;

public class NotificationRulesTests
{
    [Theory]
    [InlineData(EventTypes.FailoverStarted, "web-b", AlertTopics.Failover, AlertSeverity.Critical, AlertAction.Trigger, "understudy/web/failover/epoch-2")]
    [InlineData(EventTypes.FailoverFailed, "web-b", AlertTopics.Failover, AlertSeverity.Critical, AlertAction.Trigger, "understudy/web/failover/epoch-2")]
    [InlineData(EventTypes.FailoverCompleted, "web-b", AlertTopics.Failover, AlertSeverity.Warning, AlertAction.Resolve, "understudy/web/failover/epoch-2")]
    [InlineData(EventTypes.SwitchoverCompleted, "web-b", AlertTopics.Failover, AlertSeverity.Info, AlertAction.Info, "understudy/web/switchover")]
    [InlineData(EventTypes.ServiceDegraded, "web-a", AlertTopics.Degraded, AlertSeverity.Critical, AlertAction.Trigger, "understudy/web/degraded")]
    [InlineData(EventTypes.FailoverHeld, "web-a", AlertTopics.Degraded, AlertSeverity.Critical, AlertAction.Trigger, "understudy/web/degraded")]
    [InlineData(EventTypes.ServiceRestored, "web-a", AlertTopics.Degraded, AlertSeverity.Info, AlertAction.Resolve, "understudy/web/degraded")]
    [InlineData(EventTypes.MemberDown, "web-a", AlertTopics.Member, AlertSeverity.Error, AlertAction.Trigger, "understudy/web/member/web-a")]
    [InlineData(EventTypes.MemberUp, "web-a", AlertTopics.Member, AlertSeverity.Info, AlertAction.Resolve, "understudy/web/member/web-a")]
    public void For_NotifiedEvent_TriggerAndResolveShareTheDedupKey(string type, string member, AlertTopics topic, AlertSeverity severity, AlertAction action, string key)
    {
        Notification n = NotificationRules.For(Event(type, member, reason: "primary web-a is down"))!;

        Assert.Equal((type, topic, severity, action, key), (n.Kind, n.Topic, n.Severity, n.Action, n.DedupKey));
        Assert.Equal(("web", "web: primary web-a is down", 7L), (n.Service, n.Summary, n.Event.Id));
    }

    [Theory]
    [InlineData(EventTypes.AlertRaised)]
    [InlineData(EventTypes.AlertDelivered)]
    [InlineData(EventTypes.AlertDeliveryFailed)]
    [InlineData(EventTypes.TrafficSwitched)]
    [InlineData(EventTypes.MemberSuspected)]
    [InlineData(EventTypes.ControllerStarted)]
    // Guessed tokens are a metric to alert on (understudy_api_auth_failures_total), not a page per window.
    [InlineData(EventTypes.ApiAuthFailed)]
    [InlineData(EventTypes.RequestRefused)]
    public void For_OtherEvents_NotifiesNothingSoOwnDeliveriesCannotLoop(string type) =>
        Assert.Null(NotificationRules.For(Event(type)));

    [Fact]
    public void For_RequestAwaitingApproval_AsksForAnApprover()
    {
        Notification n = NotificationRules.For(Event(EventTypes.RequestCreated, "web-b", actor: "alice", details: ("approvals_needed", 1L)))!;

        Assert.Equal((AlertTopics.Request, AlertSeverity.Warning, AlertAction.Trigger, "understudy/web/request"), (n.Topic, n.Severity, n.Action, n.DedupKey));
        Assert.Null(NotificationRules.For(Event(EventTypes.RequestCreated, "web-b", details: ("approvals_needed", 0L))));
    }

    [Fact]
    public void For_DrillRegressed_WarnsUnderTheDrillsKey()
    {
        Notification n = NotificationRules.For(Event(EventTypes.DrillRegressed, details: [("name", "web crash"), ("measure", "recovery_time_ms"),
            ("value", 1300.0), ("baseline", 1000.0), ("limit", 1200.0), ("runs", 3L)]))!;

        Assert.Equal((AlertTopics.Drill, AlertSeverity.Warning, AlertAction.Trigger, "understudy/web/drill/web crash"), (n.Topic, n.Severity, n.Action, n.DedupKey));
    }

    [Theory]
    [InlineData(EventTypes.SiteRequested, AlertSeverity.Warning, AlertAction.Trigger, "approvals_needed", 1L)]
    [InlineData(EventTypes.SiteApproved, AlertSeverity.Info, AlertAction.Resolve, "approvals", 1L)]
    [InlineData(EventTypes.SiteRejected, AlertSeverity.Info, AlertAction.Resolve, "comment", "not now")]
    [InlineData(EventTypes.SiteExpired, AlertSeverity.Warning, AlertAction.Resolve, "expires_at", "2026-12-06T12:00:00Z")]
    public void For_SiteAwaitingApproval_OneConditionPerOperationWhicheverServiceJournaledIt(string type, AlertSeverity severity, AlertAction action, string key, object value)
    {
        (string, object?)[] details = [("operation", "s-1"), ("site", "east"), ("approvals_needed", 1L), (key, value)];
        Notification web = NotificationRules.For(Event(type, service: "web", details: details))!;
        Notification db = NotificationRules.For(Event(type, service: "db", details: details))!;

        Assert.Equal((AlertTopics.Request, severity, action, "understudy/site/s-1", ""), (web.Topic, web.Severity, web.Action, web.DedupKey, web.Service));
        Assert.Equal(web.DedupKey, db.DedupKey);
    }

    [Fact]
    public void For_SiteThatNeedsNoApprovalOrMoreApprovals_NotifiesNothing()
    {
        Assert.Null(NotificationRules.For(Event(EventTypes.SiteRequested, details: [("operation", "s-1"), ("site", "east"), ("approvals_needed", 0L)])));
        Assert.Null(NotificationRules.For(Event(EventTypes.SiteApproved, details: [("operation", "s-1"), ("site", "east"), ("approvals", 1L), ("approvals_needed", 2L)])));
    }

    [Theory]
    [InlineData("failed", "drill.failed", AlertSeverity.Error)]
    [InlineData("aborted", "drill.aborted", AlertSeverity.Warning)]
    public void For_DrillNotPassed_NamesTheDrillAndItsReport(string verdict, string kind, AlertSeverity severity)
    {
        Notification n = NotificationRules.For(Event(EventTypes.DrillCompleted, details: [("name", "web crash"), ("verdict", verdict), ("report", "/r/report.md")]))!;

        Assert.Equal((kind, severity, "understudy/web/drill/web crash"), (n.Kind, n.Severity, n.DedupKey));
        Assert.Equal($"web: drill 'web crash' {verdict} (report: /r/report.md)", n.Summary);
    }

    [Fact]
    public void For_DrillSkipped_IsNewsUnderItsOwnKey()
    {
        Notification n = NotificationRules.For(Event(EventTypes.DrillSkipped, details: [("name", "x"), ("file", "/d/x.yaml"), ("why", "web is paused")]))!;

        Assert.Equal((AlertTopics.Drill, AlertAction.Info, "understudy/web/drill/x/skipped"), (n.Topic, n.Action, n.DedupKey));
    }

    [Fact]
    public void For_DrillPassed_ResolvesTheDrillsKey()
    {
        Notification n = NotificationRules.For(Event(EventTypes.DrillCompleted, details: [("name", "x"), ("verdict", "passed")]))!;

        Assert.Equal((AlertAction.Resolve, "drill.passed", "understudy/web/drill/x"), (n.Action, n.Kind, n.DedupKey));
    }

    [Fact]
    public void Throttle_PassedRegressedFailedPassed_OnlyAnOpenAlertIsResolved()
    {
        var throttle = new AlertThrottle(TimeSpan.Zero);
        var now = DateTimeOffset.Parse("2026-12-06T12:00:00Z");
        Notification Drill(string verdict) => NotificationRules.For(Event(EventTypes.DrillCompleted, details: [("name", "x"), ("verdict", verdict)]))!;

        Assert.Null(throttle.Offer(Drill("passed"), now));
        Assert.NotNull(throttle.Offer(NotificationRules.For(Event(EventTypes.DrillRegressed, details: [("name", "x"), ("measure", "recovery_time_ms"),
            ("value", 1300.0), ("baseline", 1000.0), ("limit", 1200.0), ("runs", 3L)]))!, now));
        Assert.Equal(AlertSeverity.Error, throttle.Offer(Drill("failed"), now)?.Severity);
        Assert.Equal(AlertAction.Resolve, throttle.Offer(Drill("passed"), now)?.Action);
        Assert.Null(throttle.Offer(Drill("passed"), now));
    }

    [Fact]
    public void For_DrillOfNoService_LeavesTheServiceOutOfKeyAndSummary()
    {
        Notification n = NotificationRules.For(Event(EventTypes.DrillCompleted, service: "", details: [("name", "dns"), ("verdict", "failed")]))!;

        Assert.Equal(("understudy/drill/dns", "drill 'dns' failed"), (n.DedupKey, n.Summary));
    }

    [Fact]
    public void Wants_EventsFilterAndPagerDutyNews_DecideWhoSends()
    {
        var slack = new SlackChannelSpec("alerts[0].slack", AlertTopics.Failover | AlertTopics.Member, TimeSpan.Zero, new Uri("http://127.0.0.1/"));
        var pager = new PagerDutyChannelSpec("alerts[1].pagerduty", AlertTopics.All, TimeSpan.Zero, "key", AlertDefaults.PagerDutyUrl);

        Assert.True(NotificationRules.Wants(slack, Notify(EventTypes.MemberDown, "web-a")));
        Assert.False(NotificationRules.Wants(slack, Notify(EventTypes.ServiceDegraded, "web-a")));
        Assert.True(NotificationRules.Wants(slack, Notify(EventTypes.SwitchoverCompleted, "web-b")));
        Assert.False(NotificationRules.Wants(pager, Notify(EventTypes.SwitchoverCompleted, "web-b")));
        Assert.True(NotificationRules.Wants(pager, Notify(EventTypes.FailoverCompleted, "web-b")));
    }
}
