using Understudy.Core.Drills;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary><c>drill import chaostoolkit</c>, then <c>drill run</c> of what it wrote, against a real sample app.</summary>
[Collection(RealProcesses.Name)]
public class DrillImportTests
{
    [Fact]
    public async Task Import_ThenRun_TheConvertedExperimentPassesAndRollsBack()
    {
        await using var pair = await WebPair.StartAsync();
        // The steady-state probe reaches web-a through a configuration value; the method checks web-a's pidfile, a shell
        // line run from the drill's folder; the rollback leaves a file behind to show it ran.
        string experiment = pair.Dir.File("experiment.json");
        await File.WriteAllTextAsync(experiment, $$"""
            {
              "version": "1.0.0",
              "title": "web-a answers while its pidfile is checked",
              "configuration": { "web_a": "http://127.0.0.1:{{pair.PortA}}" },
              "steady-state-hypothesis": {
                "title": "web-a answers",
                "probes": [
                  { "type": "probe", "name": "web-a answers", "tolerance": 200, "provider": { "type": "http", "url": "${web_a}/", "timeout": 2 } }
                ]
              },
              "method": [
                { "type": "action", "name": "pidfile-present", "provider": { "type": "process", "path": "test", "arguments": "-s run/web-a.pid" }, "pauses": { "after": 0.2 } }
              ],
              "rollbacks": [
                { "type": "action", "name": "mark-rolled-back", "provider": { "type": "process", "path": "touch", "arguments": ["rolled-back"] } }
              ]
            }
            """);

        var import = await CliRunner.RunAsync("drill", "import", "chaostoolkit", experiment);
        Assert.True(import.ExitCode == 0, $"import: exit {import.ExitCode}\n{import.Err}");
        Assert.Equal($"{experiment}: written to standard output (everything converted)", import.Err.TrimEnd());

        var run = await DrillRun.RunAsync(pair.Dir, import.Out);
        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{import.Out}\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.True(run.Cli.ExitCode == 0 && report.Verdict == Verdict.Passed,
            $"exit {run.Cli.ExitCode}, {report.Verdict}\n{string.Join("\n", report.Issues)}\n{import.Out}\n{run.Cli.Out}");
        Assert.Equal("web-a answers while its pidfile is checked", report.Name);
        Assert.Equal(["web-a-answers"], report.Probes.Select(p => p.Name));
        Assert.True(File.Exists(pair.Dir.File("rolled-back")), "the rollback did not run");
    }
}
