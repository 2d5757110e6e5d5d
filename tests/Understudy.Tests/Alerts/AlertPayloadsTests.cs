using Understudy.Alerts;
using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using static Understudy.Tests.Alerts.AlertEvents;

namespace Understudy.Tests.Alerts;

/// <summary>Each channel's payload, pinned whole: receivers parse these shapes.</summary>
public class AlertPayloadsTests
{
    private static readonly Notification Started = NotificationRules.For(Event(EventTypes.FailoverStarted, "web-b",
        "primary web-a is down; failing over to web-b <now>", details: [("from", "web-a"), ("to", "web-b")]))!;

    [Fact]
    public void Webhook_CarriesTheNotificationAndItsJournalEvent() => Assert.Equal(
        """{"service":"web","kind":"failover.started","severity":"critical","action":"trigger","dedup_key":"understudy/web/failover/epoch-2","summary":"web: primary web-a is down; failing over to web-b \u003Cnow\u003E","event":{"id":7,"time":"2026-11-22T12:00:00.0000000Z","type":"failover.started","member":"web-b","epoch":2,"actor":"controller","details":{"from":"web-a","reason":"primary web-a is down; failing over to web-b \u003Cnow\u003E","to":"web-b"}}}""",
        AlertPayloads.Webhook(Started).ToJsonString());

    [Fact]
    public void Slack_IsOneEscapedLineWithSeverityKindAndEpoch() => Assert.Equal(
        """{"text":":red_circle: [critical] web: primary web-a is down; failing over to web-b \u0026lt;now\u0026gt; (failover.started, epoch 2)"}""",
        AlertPayloads.Slack(Started).ToJsonString());

    [Fact]
    public void Slack_Resolve_IsMarkedDone() =>
        Assert.StartsWith(":white_check_mark: [info] web: ", AlertPayloads.Slack(Notify(EventTypes.MemberUp, "web-a"))["text"]!.GetValue<string>());

    [Fact]
    public void PagerDuty_Trigger_IsAnEventsV2TriggerWithPayload() => Assert.Equal(
        """{"routing_key":"R0UT1NG","event_action":"trigger","dedup_key":"understudy/web/failover/epoch-2","payload":{"summary":"web: primary web-a is down; failing over to web-b \u003Cnow\u003E","source":"understudy/web/web-b","severity":"critical","timestamp":"2026-11-22T12:00:00.0000000Z","component":"web","custom_details":{"id":7,"time":"2026-11-22T12:00:00.0000000Z","type":"failover.started","member":"web-b","epoch":2,"actor":"controller","details":{"from":"web-a","reason":"primary web-a is down; failing over to web-b \u003Cnow\u003E","to":"web-b"}}}}""",
        AlertPayloads.PagerDuty(Started, "R0UT1NG")!.ToJsonString());

    [Fact]
    public void PagerDuty_Resolve_NamesOnlyTheSameDedupKey() => Assert.Equal(
        """{"routing_key":"R0UT1NG","event_action":"resolve","dedup_key":"understudy/web/failover/epoch-2"}""",
        AlertPayloads.PagerDuty(Notify(EventTypes.FailoverCompleted, "web-b"), "R0UT1NG")!.ToJsonString());

    [Fact]
    public void PagerDuty_News_PagesNobody() =>
        Assert.Null(AlertPayloads.PagerDuty(Notify(EventTypes.SwitchoverCompleted, "web-b"), "R0UT1NG"));

    [Fact]
    public void PagerDuty_LongSummary_IsCutToItsLimit()
    {
        Notification n = NotificationRules.For(Event(EventTypes.MemberDown, "web-a", new string('x', 2000)))!;

        Assert.Equal(1024, AlertPayloads.PagerDuty(n, "k")!["payload"]!["summary"]!.GetValue<string>().Length);
    }

    [Fact]
    public void Email_SubjectIsTheSummaryOnOneLine_BodyListsTheFacts()
    {
        Notification n = NotificationRules.For(Event(EventTypes.MemberDown, "web-a", "web-a failed 3 checks in a row (last: HTTP 500\nbody)",
            details: [("detail", "HTTP 500"), ("origin", "active")]))!;

        var (subject, body) = AlertPayloads.Email(n);

        Assert.Equal("[understudy] web: web-a failed 3 checks in a row (last: HTTP 500 body)", subject);
        Assert.Equal("""
            web: web-a failed 3 checks in a row (last: HTTP 500
            body)

            kind: member.down
            severity: error
            service: web
            member: web-a
            epoch: 2
            time: 2026-11-22T12:00:00.0000000Z
            actor: controller
            event: #7 member.down
            detail: HTTP 500
            origin: active

            """.ReplaceLineEndings(), body);
    }
}
