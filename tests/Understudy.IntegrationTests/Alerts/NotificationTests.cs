using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Alerts;

/// <summary>A real controller notifying real local sinks: HTTP (webhook, Slack, PagerDuty) and SMTP.</summary>
[Collection(RealProcesses.Name)]
public class NotificationTests
{
    private const string RoutingKey = "R0UT1NGKEY0000000000000000000000";
    private static readonly string[] Kinds = [EventTypes.MemberDown, EventTypes.FailoverStarted, EventTypes.FailoverCompleted];

    [Fact]
    public async Task Crash_PrimaryKilled_EverySinkHearsEachKindOnceAndEveryDeliveryIsJournaled()
    {
        await using var http = await HttpSink.StartAsync("flaky");
        await using var smtp = await SmtpSink.StartAsync();
        await using var pair = await WebPair.StartAsync(topLevel: $$"""
            alerts:
              - webhook: { url: "{{http.Url("webhook")}}" }
              - webhook: { url: "{{http.Url("flaky")}}" }
              - slack: { url: "${SLACK_URL}" }
              - pagerduty: { routing_key: "${PD_KEY}", url: "{{http.Url("pagerduty")}}" }
              - email: { smtp: "127.0.0.1:{{smtp.Port}}", from: understudy@example.com, to: [oncall@example.com], starttls: false }
            """);
        var secrets = new Dictionary<string, string> { ["SLACK_URL"] = http.Url("slack").ToString(), ["PD_KEY"] = RoutingKey };
        await using var controller = await ControllerProcess.StartHealthyAsync(pair, environment: secrets);

        pair.A.Kill();
        // Five channels, three notifications each; stopping then drains nothing more, so counts below are final.
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.AlertDelivered)).Count >= 15, "15 deliveries journaled");
        var events = await controller.EventsAsync("web");
        await controller.StopAsync();

        Assert.Equal(Kinds, http.Received("webhook").Select(b => b.GetProperty("kind").GetString()));
        Assert.All(http.Received("webhook"), b => Assert.Equal("web", b.GetProperty("service").GetString()));
        Assert.Equal(Kinds, http.Received("slack").Select(b => Regex.Match(b.GetProperty("text").GetString()!, @"\((\S+), epoch").Groups[1].Value));
        Assert.Equal(Kinds, smtp.Messages.Select(m => m.Header("X-Understudy-Kind")));
        Assert.All(smtp.Messages, m => Assert.StartsWith("[understudy] web: ", m.Header("Subject")));

        // PagerDuty: the failover's trigger and resolve share one dedup key; the member's down is its own.
        var pages = http.Received("pagerduty");
        Assert.Equal([("trigger", "understudy/web/member/web-a"), ("trigger", "understudy/web/failover/epoch-2"), ("resolve", "understudy/web/failover/epoch-2")],
            pages.Select(p => (p.GetProperty("event_action").GetString(), p.GetProperty("dedup_key").GetString())));
        Assert.All(pages, p => Assert.Equal(RoutingKey, p.GetProperty("routing_key").GetString()));

        // The flaky sink refused the first request; the retry delivered it, and nothing was sent twice.
        Assert.Equal(4, http.Attempts("flaky"));
        Assert.Equal(Kinds, http.Received("flaky").Select(b => b.GetProperty("kind").GetString()));

        var delivered = events.Where(e => e.Type == EventTypes.AlertDelivered).ToList();
        Assert.Equal(15, delivered.Count);
        Assert.DoesNotContain(events, e => e.Type == EventTypes.AlertDeliveryFailed);
        foreach (string kind in Kinds)
        {
            long id = events.First(e => e.Type == kind).Id;
            var forKind = delivered.Where(d => Detail(d, "kind") == kind).ToList();
            Assert.Equal(["alerts[0].webhook", "alerts[1].webhook", "alerts[2].slack", "alerts[3].pagerduty", "alerts[4].email"], forKind.Select(d => Detail(d, "channel")).Order());
            Assert.All(forKind, d => Assert.Equal(id.ToString(), Detail(d, "event_id")));
        }
        Assert.Equal("2", Detail(delivered.Single(d => Detail(d, "channel") == "alerts[1].webhook" && Detail(d, "kind") == EventTypes.MemberDown), "attempts"));
        // The secret URL is in no journal entry.
        Assert.DoesNotContain(events, e => JsonSerializer.Serialize(e.Details).Contains("/slack"));
    }

    [Fact]
    public async Task DrillRun_FailedDrillWithController_IsJournaledAsDrillCompletedAndNotified()
    {
        await using var http = await HttpSink.StartAsync();
        await using var pair = await WebPair.StartAsync(topLevel: $$"""
            alerts:
              - webhook: { url: "{{http.Url("drills")}}" }
                events: [drill]
            """);
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        // Nothing breaks; the verify step expects a status the app never answers, so the drill fails.
        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair, faults: "  - exec: [sh, -c, \"exit 0\"]",
            extra: $"verify:\n  - http: {{ url: \"{pair.ProxyUrl}\", expect_status: 418 }}"));

        Assert.Equal(1, run.Cli.ExitCode);
        var completed = Assert.Single(await controller.EventsAsync("web", EventTypes.DrillCompleted));
        Assert.Equal(("operator", "kill the primary", "failed"), (completed.Actor, Detail(completed, "name"), Detail(completed, "verdict")));
        Assert.Equal(Path.Combine(run.Folder!, "report.md"), Detail(completed, "report"));
        await Eventually.TrueAsync(() => http.Received("drills").Count == 1, "the failed drill at the webhook");
        Assert.Equal("drill.failed", http.Received("drills")[0].GetProperty("kind").GetString());

        // The endpoint checks what it is told.
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };
        using var bad = await api.PostAsJsonAsync("/api/drills", new { name = "x", verdict = "meh" });
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Contains("verdict: expected passed, failed or aborted, got 'meh'", await bad.Content.ReadAsStringAsync());
    }

    private static string? Detail(EventView e, string key) => e.Details.TryGetValue(key, out object? v) ? v?.ToString() : null;

    /// <summary>Issue 13 item 15: STARTTLS is required unless turned off; a server without it gets nothing in the clear.</summary>
    [Fact]
    public async Task Email_ServerWithoutStartTls_NothingSentAndTheFailureIsFinalAndJournaled()
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var pair = await WebPair.StartAsync(topLevel: $$"""
            alerts:
              - email: { smtp: "127.0.0.1:{{smtp.Port}}", from: understudy@example.com, to: [oncall@example.com], username: u, password: "p4ss" }
                events: [member]
            """);
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        pair.B.Kill();

        var failed = await Eventually.GetAsync(async () =>
            await controller.EventsAsync("web", EventTypes.AlertDeliveryFailed) is { Count: > 0 } e ? e : null, "alert.delivery_failed");
        Assert.Contains("STARTTLS", Detail(failed[0], "error"));
        Assert.Equal("1", Detail(failed[0], "attempts"));
        Assert.Empty(smtp.Messages);
    }
}
