using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Understudy.Api;
using Understudy.Config;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Cli;

internal static class EventsCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var json = CommonOptions.Json();
        var service = new Option<string?>("--service", "-s") { Description = "only this service" };
        var type = new Option<string?>("--type", "-t") { Description = "only this event type, e.g. failover.started" };
        var since = new Option<string?>("--since") { Description = "an ISO 8601 time, or a duration back from now such as 10m" };
        var limit = new Option<int?>("--limit", "-n") { Description = "at most this many (the newest)" };
        var cmd = new Command("events", "Print the journal's events, oldest first.") { config, service, type, since, limit, json };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo file = parse.GetValue(config)!;
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            if (!TryParseSince(parse.GetValue(since), out DateTimeOffset? from, out string whyNot))
            {
                Console.Error.WriteLine($"--since: {whyNot}");
                return CliApp.BadInput;
            }
            if (parse.GetValue(service) is { } s && spec.Service(s) is null)
            {
                Console.Error.WriteLine($"--service: {file} has no service '{s}' (it has {string.Join(", ", spec.Services.Select(x => x.Name))})");
                return CliApp.BadInput;
            }
            IReadOnlyList<JournalEvent> events;
            try
            {
                events = await SqliteJournal.OpenReadOnly(spec.Controller.Journal).ReadAsync(new JournalQuery(parse.GetValue(service), parse.GetValue(type), from), ct);
            }
            catch (JournalException e)
            {
                Console.Error.WriteLine($"understudy events: {e.Message}");
                return CliApp.Failed;
            }
            if (parse.GetValue(limit) is { } n) events = [.. events.TakeLast(Math.Max(n, 0))];
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(events.Select(EventView.From), ApiJson.Options));
            else Render(events);
            return CliApp.Ok;
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

    private static void Render(IReadOnlyList<JournalEvent> events)
    {
        var table = new Table().AddColumns("time (UTC)", "service", "epoch", "type", "member", "reason");
        foreach (JournalEvent e in events)
            table.AddRow(e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), e.Service,
                e.Epoch.ToString(CultureInfo.InvariantCulture), e.Type, e.Member ?? "", Markup.Escape(e.Reason ?? ""));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{events.Count} event{(events.Count == 1 ? "" : "s")}");
    }
}
