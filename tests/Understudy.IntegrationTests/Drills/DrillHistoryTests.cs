using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary><c>drill history</c>: every drill journaled as drill.completed, with report.json's figures, from the API and from the journal.</summary>
[Collection(RealProcesses.Name)]
public class DrillHistoryTests
{
    [Fact]
    public async Task History_ARunDrillAndAPostedOne_NewestFirstWithTheirFiguresFromTheApiAndTheJournal()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        // A drill that breaks nothing: cheap, and its figures still travel from report.json to the journal.
        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair, faults: "  - exec: [sh, -c, \"exit 0\"]"));
        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };
        using (var posted = await api.PostAsJsonAsync("/api/drills",
            new { name = "dns cutover", verdict = "failed", rto_ms = 1500, recovery_time_ms = 4200, lost_acknowledged_writes = 3, availability_pct = 93.08 }))
            Assert.Equal(201, (int)posted.StatusCode);
        await Eventually.TrueAsync(async () => (await controller.EventsAsync(type: EventTypes.DrillCompleted)).Count == 2, "both drills journaled");

        string[] fromApi = ["--api", $"http://127.0.0.1:{pair.ApiPort}"], fromJournal = ["-c", pair.Config];
        foreach (string[] source in new[] { fromApi, fromJournal })
        {
            JsonElement[] rows = await HistoryAsync(source);
            Assert.Equal(["dns cutover", "kill the primary"], rows.Select(r => r.GetProperty("name").GetString()));
            Assert.Equal(("", "failed", 1500.0, 4200.0, 3.0, 93.08),
                (rows[0].GetProperty("service").GetString(), rows[0].GetProperty("verdict").GetString(),
                 Number(rows[0], "rto_ms"), Number(rows[0], "recovery_time_ms"), Number(rows[0], "lost_acknowledged_writes"), Number(rows[0], "availability_pct")));
            Assert.Equal(("web", report.Verdict.ToString().ToLowerInvariant(), report.RtoMs, report.RecoveryTimeMs, (double?)null, (double?)report.AvailabilityPct),
                (rows[1].GetProperty("service").GetString(), rows[1].GetProperty("verdict").GetString(),
                 Number(rows[1], "rto_ms"), Number(rows[1], "recovery_time_ms"), Number(rows[1], "lost_acknowledged_writes"), Number(rows[1], "availability_pct")));

            Assert.Equal(["kill the primary"], (await HistoryAsync([.. source, "--service", "web"])).Select(r => r.GetProperty("name").GetString()));
        }

        var table = await CliRunner.RunAsync("drill", "history", "-c", pair.Config);
        Assert.Equal(0, table.ExitCode);
        // The table wraps to the terminal's width: long names may span lines.
        Assert.Contains("cutover", table.Out);
        Assert.Contains("2 drills", table.Out);
    }

    private static async Task<JsonElement[]> HistoryAsync(string[] args)
    {
        var cli = await CliRunner.RunAsync(["drill", "history", .. args, "--json"]);
        Assert.True(cli.ExitCode == 0, $"drill history {string.Join(' ', args)}: exit {cli.ExitCode}\n{cli.Out}\n{cli.Err}");
        return [.. JsonDocument.Parse(cli.Out).RootElement.EnumerateArray().Select(r => r.Clone())];
    }

    private static double? Number(JsonElement row, string field) =>
        row.GetProperty(field) is { ValueKind: JsonValueKind.Number } n ? n.GetDouble() : null;
}
