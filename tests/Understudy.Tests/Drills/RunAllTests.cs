using System.Text.Json;
using Understudy.Cli;
using Understudy.Drills.Reports;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Drills;

/// <summary><c>drill run-all</c>'s checks before anything runs, and its summary report.</summary>
public sealed class RunAllTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("understudy-run-all-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const string Cheap = """
        name: NAME
        environment: ENV
        probes:
          - { name: web, tcp: { address: "127.0.0.1:9", interval: 1s } }
        faults:
          - exec: [sh, -c, "exit 0"]
        """;

    private string Write(string file, string name, string env = "staging", string extra = "")
    {
        File.WriteAllText(Path.Combine(_root, file), Cheap.Replace("NAME", name).Replace("ENV", env) + "\n" + extra);
        return file;
    }

    private Task<(int Exit, string Out, string Err)> RunAll() =>
        CommandRun.RunAsync(DrillCommand.Create(), "run-all", _root, "--out", Path.Combine(_root, "reports"));

    [Fact]
    public async Task RunAll_ThirdFileInvalid_EveryErrorOfItPrintedExitTwoAndNothingRan()
    {
        Write("01-a.yaml", "a");
        Write("02-b.yaml", "b");
        Write("03-c.yaml", "c", extra: "bogus: 1\n");

        var (exit, _, err) = await RunAll();

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Contains("03-c.yaml:7:1 bogus: unknown key", err);
        Assert.False(Directory.Exists(Path.Combine(_root, "reports")), "a drill ran although a later file was invalid");
    }

    [Fact]
    public async Task RunAll_AProductionDrill_RefusedBeforeAnythingRuns()
    {
        Write("01-a.yaml", "a");
        Write("02-prod.yaml", "prod", env: "production");

        var (exit, _, err) = await RunAll();

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Contains("02-prod.yaml: environment is production; run-all runs staging drills only", err);
    }

    [Fact]
    public async Task RunAll_NoDrillFiles_ExitTwoSayingSo()
    {
        File.WriteAllText(Path.Combine(_root, "notes.md"), "not a drill");

        var (exit, _, err) = await RunAll();

        Assert.Equal((CliApp.BadInput, $"{_root}: no drill files (*.yaml, *.yml) in it"), (exit, err.Trim()));
    }

    [Fact]
    public async Task Summary_StoppedAtTheSecond_MarkdownAndJsonSayWhereAndWhatWasNotRun()
    {
        var at = new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);
        var summary = new RunAllSummary("/drills/ladder", at, at.AddSeconds(95),
        [
            new("/drills/ladder/01-a.yaml", "a", "passed", 0, 420, 0, 100, "/r/2026-12-06-a"),
            new("/drills/ladder/02-b.yaml", "b", "failed", 7000, 9000, 3, 91.5, "/r/2026-12-06-b"),
            new("/drills/ladder/03-c.yaml", "c", RunAllEntry.NotRun),
        ]);

        string md = summary.Markdown();
        Assert.Contains("**Stopped at b** (`02-b.yaml`): failed. 1 drill(s) after it not run.", md);
        Assert.Contains("| 3 | c | `03-c.yaml` | not run | — | — | — | — | — |", md);
        using JsonDocument json = JsonDocument.Parse(summary.Json());
        Assert.Equal(("failed", "/drills/ladder/02-b.yaml"), (json.RootElement.GetProperty("result").GetString(), json.RootElement.GetProperty("stopped_at").GetString()));
        Assert.Equal(["passed", "failed", "not_run"], json.RootElement.GetProperty("drills").EnumerateArray().Select(d => d.GetProperty("verdict").GetString()));
        Assert.Equal(3, json.RootElement.GetProperty("drills")[1].GetProperty("lost_acknowledged_writes").GetInt32());

        string first = await summary.WriteAsync(_root), second = await summary.WriteAsync(_root);
        Assert.Equal(["2026-12-06-run-all-ladder.md", "2026-12-06-run-all-ladder-2.md"], new[] { first, second }.Select(Path.GetFileName));
        Assert.True(File.Exists(Path.ChangeExtension(second, ".json")));
    }

    [Fact]
    public void Summary_AllPassed_ResultPassedAndNoStop()
    {
        var at = DateTimeOffset.UnixEpoch;
        var summary = new RunAllSummary("/d", at, at, [new("/d/1.yaml", "a", "passed"), new("/d/2.yaml", "b", "passed")]);

        Assert.Equal(("passed", null), (summary.Result, summary.StoppedAt));
        Assert.Contains("**All 2 drills passed.**", summary.Markdown());
    }
}
