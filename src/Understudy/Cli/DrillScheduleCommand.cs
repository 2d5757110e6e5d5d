using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Understudy.Api;
using Understudy.Drills.Scheduling;

namespace Understudy.Cli;

/// <summary>
/// <c>drill schedule</c>: the next run of each scheduled drill, from the config of -c FILE (no controller need run), or from the
/// running controller, which also knows each run's drawn jitter.
/// </summary>
internal static class DrillScheduleCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        api.Config.Description = "the understudy.yaml whose drills: to list (without --api)";
        var cmd = api.AddTo(new Command("schedule",
            "List the scheduled drills and when each runs next: from the config of -c FILE, else from the running controller."));
        cmd.SetAction(async (parse, ct) =>
        {
            bool json = parse.GetValue(api.Json);
            if (parse.GetValue(api.Config) is { } file && parse.GetValue(api.Api) is null)
            {
                if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
                DateTimeOffset now = DateTimeOffset.UtcNow;
                Print([.. spec.DrillSchedules.Select(s => DrillCalendar.NextOccurrence(s, now) is { } at ? DrillScheduleView.From(new PlannedRun(s, at, at), drawn: false) : null)
                    .OfType<DrillScheduleView>()], json);
                return CliApp.Ok;
            }
            return await api.RunAsync(parse, async client =>
            {
                Print(await client.GetAsync<List<DrillScheduleView>>("api/drills/schedule", ct), json);
                return CliApp.Ok;
            }, ct);
        });
        return cmd;
    }

    private static void Print(IReadOnlyList<DrillScheduleView> runs, bool json)
    {
        if (json)
        {
            ApiOptions.WriteJson(runs);
            return;
        }
        // When the run starts: its drawn jitter included when a controller says it. The files are in --json, so the table fits a terminal.
        var table = new Table().AddColumns(new TableColumn("next run (UTC)").NoWrap(), new TableColumn("drill"), new TableColumn("service"),
            new TableColumn("cron").NoWrap(), new TableColumn("timezone"));
        foreach (DrillScheduleView r in runs)
            table.AddRow(Time(r.StartsAt ?? r.NextRun), Markup.Escape(r.Name), Markup.Escape(r.Service), Markup.Escape(r.Cron), Markup.Escape(r.Timezone));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{runs.Count} scheduled drill{(runs.Count == 1 ? "" : "s")}");
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
