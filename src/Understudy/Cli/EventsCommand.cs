using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Understudy.Api;
using Understudy.Config;
using Understudy.Journal;

namespace Understudy.Cli;

internal static class EventsCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        api.Config.Description = "the understudy.yaml whose journal to read (without --api)";
        var service = new Option<string?>("--service", "-s") { Description = "only this service" };
        var type = new Option<string?>("--type", "-t") { Description = "only this event type, e.g. failover.started" };
        var since = new Option<string?>("--since") { Description = "an ISO 8601 time, or a duration back from now such as 10m" };
        var limit = new Option<int?>("--limit", "-n") { Description = "at most this many (the newest)" };
        var cmd = api.AddTo(new Command("events", "Print the journal's events, oldest first: from the journal of -c FILE, else from the running controller.") { service, type, since, limit });
        cmd.SetAction(async (parse, ct) =>
        {
            if (!TryParseSince(parse.GetValue(since), out DateTimeOffset? from, out string whyNot))
            {
                Console.Error.WriteLine($"--since: {whyNot}");
                return CliApp.BadInput;
            }
            var query = new JournalQuery(parse.GetValue(service), parse.GetValue(type), from);
            int? newest = parse.GetValue(limit) is { } n ? Math.Max(n, 0) : null;
            bool json = parse.GetValue(api.Json);
            return await EventSource.ShowAsync(api, parse, query, newest, events => Print(events, json), ct);
        });
        return cmd;
    }

    internal static bool TryParseSince(string? text, out DateTimeOffset? since, out string whyNot)
    {
        since = null;
        whyNot = "";
        if (text is null) return true;
        if (Durations.TryParse(text, out TimeSpan back, out _)) { since = DateTimeOffset.UtcNow - back; return true; }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t)) { since = t; return true; }
        whyNot = $"expected an ISO 8601 time (2026-11-22T12:00:00Z) or a duration such as 10m, got '{text}'";
        return false;
    }

    private static void Print(IReadOnlyList<EventView> events, bool json)
    {
        if (json)
        {
            ApiOptions.WriteJson(events);
            return;
        }
        var table = new Table().AddColumns("time (UTC)", "service", "epoch", "type", "member", "reason");
        foreach (EventView e in events)
            table.AddRow(e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), e.Service,
                e.Epoch.ToString(CultureInfo.InvariantCulture), e.Type, e.Member ?? "", Markup.Escape(e.Details.GetValueOrDefault("reason")?.ToString() ?? ""));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{events.Count} event{(events.Count == 1 ? "" : "s")}");
    }
}
