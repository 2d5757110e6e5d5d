using System.Text.Json;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary><c>drill run-all</c>: a ladder of real drills against a controller, stopped at the first that fails, with one summary.</summary>
[Collection(RealProcesses.Name)]
public class DrillRunAllTests
{
    [Fact]
    public async Task RunAll_SecondDrillFails_ThirdNeverRuns_SummaryAndExitSayWhere()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        string ladder = pair.Dir.File("ladder"), reports = pair.Dir.File("reports");
        Directory.CreateDirectory(ladder);
        // Faults that break nothing keep each drill short; the second fails its verify step (the service answers 200, not 500).
        string harmless = "  - exec: [sh, -c, \"exit 0\"]";
        await File.WriteAllTextAsync(Path.Combine(ladder, "01-first.yaml"), Named("first", DrillRun.Yaml(pair, harmless)));
        await File.WriteAllTextAsync(Path.Combine(ladder, "02-second.yaml"), Named("second", DrillRun.Yaml(pair, harmless,
            extra: $"verify:\n  - http: {{ url: \"{pair.ProxyUrl}\", expect_status: 500 }}")));
        await File.WriteAllTextAsync(Path.Combine(ladder, "03-third.yaml"), Named("third", DrillRun.Yaml(pair, harmless)));

        var cli = await CliRunner.RunAsync("drill", "run-all", ladder, "--out", reports);

        Assert.True(cli.ExitCode == 1, $"exit {cli.ExitCode}\n{cli.Out}\n{cli.Err}");
        string summary = Assert.Single(Directory.GetFiles(reports, "*-run-all-ladder.json"));
        using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(summary));
        Assert.Equal(("failed", Path.Combine(ladder, "02-second.yaml")), (json.RootElement.GetProperty("result").GetString(), json.RootElement.GetProperty("stopped_at").GetString()));
        Assert.Equal([("first", "passed"), ("second", "failed"), ("third", "not_run")],
            json.RootElement.GetProperty("drills").EnumerateArray().Select(d => (d.GetProperty("name").GetString(), d.GetProperty("verdict").GetString())));
        Assert.Equal(2, Directory.GetDirectories(reports).Length);
        Assert.Contains("**Stopped at second**", await File.ReadAllTextAsync(Path.ChangeExtension(summary, ".md")));
        // Each drill that ran told the controller, as drill run does; the third never did.
        Assert.Equal(["first", "second"], (await controller.EventsAsync(type: EventTypes.DrillCompleted)).OrderBy(e => e.Id).Select(e => e.Details["name"]?.ToString()));
    }

    private static string Named(string name, string yaml) => yaml.Replace("name: kill the primary", $"name: {name}", StringComparison.Ordinal);
}
