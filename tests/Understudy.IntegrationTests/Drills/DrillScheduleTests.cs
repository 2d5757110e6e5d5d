using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary>A drill scheduled in the controller's config runs at its time as its own process, and is skipped, with the reason, while its service is paused (as is one run by hand).</summary>
[Collection(RealProcesses.Name)]
public class DrillScheduleTests
{
    [Fact]
    public async Task Schedule_SecondsCron_RunsTheDrillAtItsTimeAndSkipsItWhilePaused()
    {
        await using var pair = await WebPair.StartAsync(topLevel: """
            drills:
              - { file: drill.yaml, cron: "*/3 * * * * *", environment: staging }
            """);
        // A drill that breaks nothing: cheap, and it still reports its verdict to the controller as drill.completed.
        await File.WriteAllTextAsync(pair.Dir.File("drill.yaml"), DrillRun.Yaml(pair, faults: "  - exec: [sh, -c, \"exit 0\"]",
            steady: "{ duration: 0s, max_error_rate: 0 }", recovery: "{ timeout: 20s, stable_for: 500ms }"));
        await using var controller = await pair.StartControllerAsync();

        EventView started = await Eventually.GetAsync(async () => (await controller.EventsAsync("web", EventTypes.DrillStarted)).FirstOrDefault(), "a scheduled drill.started");
        Assert.Equal(("kill the primary", pair.Dir.File("drill.yaml")), (Text(started, "name"), Text(started, "file")));
        EventView completed = await Eventually.GetAsync(async () => (await controller.EventsAsync("web", EventTypes.DrillCompleted)).FirstOrDefault(),
            $"the scheduled drill's drill.completed\n{controller.Output}");
        Assert.Equal("passed", Text(completed, "verdict"));

        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };
        using (var paused = await api.PostAsJsonAsync("/api/services/web/pause", new { reason = "kernel update" }))
            Assert.True(paused.IsSuccessStatusCode, await paused.Content.ReadAsStringAsync());
        EventView skipped = await Eventually.GetAsync(async () => (await controller.EventsAsync("web", EventTypes.DrillSkipped))
            .FirstOrDefault(e => Text(e, "why").Contains("paused", StringComparison.Ordinal)), "a drill.skipped because web is paused");
        Assert.Equal("web is paused (operator: kernel update)", Text(skipped, "why"));
        // The same pre-flight turns away a drill run by hand, before it probes anything.
        var byHand = await CliRunner.RunAsync("drill", "run", pair.Dir.File("drill.yaml"), "--out", pair.Dir.File("by-hand"));
        Assert.True(byHand.ExitCode == 4, $"exit {byHand.ExitCode}\n{byHand.Out}\n{byHand.Err}");
        Assert.Contains("web is paused (operator: kernel update)", byHand.Err);
        Assert.False(Directory.Exists(pair.Dir.File("by-hand")));

        var cli = await CliRunner.RunAsync("drill", "schedule", "--api", $"http://127.0.0.1:{pair.ApiPort}", "--json");
        Assert.True(cli.ExitCode == 0, cli.Err);
        JsonElement next = Assert.Single(JsonDocument.Parse(cli.Out).RootElement.EnumerateArray());
        Assert.Equal(("kill the primary", "web", "*/3 * * * * *"), (next.GetProperty("name").GetString(), next.GetProperty("service").GetString(), next.GetProperty("cron").GetString()));
        Assert.True(next.GetProperty("starts_at").GetDateTimeOffset() >= next.GetProperty("next_run").GetDateTimeOffset());
    }

    private static string Text(EventView e, string field) => e.Details[field]?.ToString() ?? "";
}
