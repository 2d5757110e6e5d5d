using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Alerts;

/// <summary>What each kind of channel is sent for a notification: pure functions, so their shapes are tested without a server.</summary>
public static class AlertPayloads
{
    /// <summary>PagerDuty refuses a summary longer than this.</summary>
    private const int PagerDutySummaryMax = 1024;

    /// <summary>Generic JSON: the notification and the journal event it came from.</summary>
    public static JsonObject Webhook(Notification n) => new()
    {
        ["service"] = n.Service,
        ["kind"] = n.Kind,
        ["severity"] = Text(n.Severity),
        ["action"] = Text(n.Action),
        ["dedup_key"] = n.DedupKey,
        ["summary"] = n.Summary,
        ["event"] = Event(n.Event),
    };

    /// <summary>A Slack incoming-webhook message: one readable line.</summary>
    public static JsonObject Slack(Notification n) => new()
    {
        ["text"] = $"{Emoji(n)} [{Text(n.Severity)}] {SlackEscape(n.Summary)} ({n.Kind}{(n.Event.Epoch > 0 ? $", epoch {n.Event.Epoch}" : "")})",
    };

    /// <summary>An Events API v2 trigger or resolve; null for news that opens no incident (nobody is paged for it).</summary>
    public static JsonObject? PagerDuty(Notification n, string routingKey) => n.Action switch
    {
        AlertAction.Resolve => new JsonObject { ["routing_key"] = routingKey, ["event_action"] = "resolve", ["dedup_key"] = n.DedupKey },
        AlertAction.Trigger => new JsonObject
        {
            ["routing_key"] = routingKey,
            ["event_action"] = "trigger",
            ["dedup_key"] = n.DedupKey,
            ["payload"] = new JsonObject
            {
                ["summary"] = n.Summary.Length <= PagerDutySummaryMax ? n.Summary : n.Summary[..(PagerDutySummaryMax - 1)] + "…",
                ["source"] = string.Join('/', new[] { "understudy", n.Service, n.Event.Member ?? "" }.Where(p => p.Length > 0)),
                ["severity"] = Text(n.Severity),
                ["timestamp"] = Time(n.Event.Time),
                ["component"] = n.Service.Length > 0 ? n.Service : null,
                ["custom_details"] = Event(n.Event),
            },
        },
        _ => null,
    };

    /// <summary>A plain-text mail: the summary as subject, the event's facts as lines.</summary>
    public static (string Subject, string Body) Email(Notification n)
    {
        // A subject is one line; reasons quote check output, which may hold line breaks.
        string subject = "[understudy] " + string.Join(' ', n.Summary.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        var body = new StringBuilder().AppendLine(n.Summary).AppendLine();
        JournalEvent e = n.Event;
        Line(body, "kind", n.Kind);
        Line(body, "severity", Text(n.Severity));
        Line(body, "service", n.Service);
        Line(body, "member", e.Member);
        Line(body, "epoch", e.Epoch.ToString(CultureInfo.InvariantCulture));
        Line(body, "time", Time(e.Time));
        Line(body, "actor", e.Actor);
        Line(body, "event", $"#{e.Id} {e.Type}");
        foreach (var (key, value) in EventJson.Details(e).Where(d => d.Key != "reason").OrderBy(d => d.Key, StringComparer.Ordinal))
            Line(body, key, Convert.ToString(value, CultureInfo.InvariantCulture));
        return (subject.Length <= 200 ? subject : subject[..199] + "…", body.ToString());
    }

    private static JsonObject Event(JournalEvent e) => new()
    {
        ["id"] = e.Id,
        ["time"] = Time(e.Time),
        ["type"] = e.Type,
        ["member"] = e.Member,
        ["epoch"] = e.Epoch,
        ["actor"] = e.Actor,
        ["details"] = JsonSerializer.SerializeToNode(EventJson.Details(e).OrderBy(d => d.Key, StringComparer.Ordinal).ToDictionary()),
    };

    private static void Line(StringBuilder b, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value)) b.Append(key).Append(": ").AppendLine(value);
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string Text<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();

    private static string Emoji(Notification n) => n.Action == AlertAction.Resolve ? ":white_check_mark:" : n.Severity switch
    {
        AlertSeverity.Critical or AlertSeverity.Error => ":red_circle:",
        AlertSeverity.Warning => ":warning:",
        _ => ":information_source:",
    };

    // Slack reads <...> as links and mentions, so the three control characters are escaped, as its docs ask.
    private static string SlackEscape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
