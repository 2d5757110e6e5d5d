using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Cli;

/// <summary><c>drill history</c>: the drills that reported to the controller (drill.completed), newest first, with their figures.</summary>
internal static class DrillHistoryCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        api.Config.Description = "the understudy.yaml whose journal to read (without --api)";
        var service = new Option<string?>("--service", "-s") { Description = "only the drills of this service" };
        var cmd = api.AddTo(new Command("history",
            "List the drills run against the controller, newest first: from the journal of -c FILE, else from the running controller.") { service });
        cmd.SetAction(async (parse, ct) =>
        {
            var query = new JournalQuery(parse.GetValue(service), EventTypes.DrillCompleted);
            bool json = parse.GetValue(api.Json);
            return await EventSource.ShowAsync(api, parse, query, newest: null, events => Print(DrillHistoryRow.Of(events), json), ct);
        });
        return cmd;
    }

    private static void Print(IReadOnlyList<DrillHistoryRow> rows, bool json)
    {
        if (json)
        {
            ApiOptions.WriteJson(rows);
            return;
        }
        AnsiConsole.Write(Table(rows));
        AnsiConsole.MarkupLine($"{rows.Count} drill{(rows.Count == 1 ? "" : "s")}");
    }

    internal static Table Table(IReadOnlyList<DrillHistoryRow> rows)
    {
        var table = new Table().AddColumns("time (UTC)", "service", "drill", "verdict", "rto ms", "recovery ms", "lost writes", "availability %");
        foreach (DrillHistoryRow r in rows)
            table.AddRow(r.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(r.Service), Markup.Escape(r.Name),
                Markup.Escape(r.Verdict), Figure(r.RtoMs, "0"), Figure(r.RecoveryTimeMs, "0"), Figure(r.LostAcknowledgedWrites, "0"), Figure(r.AvailabilityPct, "0.###"));
        return table;
    }

    /// <summary>"-" for a figure the drill did not measure or send, so it is not mistaken for 0.</summary>
    private static string Figure<T>(T? value, string format) where T : struct, IFormattable =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
