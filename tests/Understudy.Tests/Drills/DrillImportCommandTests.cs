using Understudy.Cli;
using Understudy.Drills;
using Understudy.Tests.Fuzz;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Drills;

/// <summary><c>drill import chaostoolkit</c> run in-process: what it writes where, and its exit codes.</summary>
public sealed class DrillImportCommandTests : IDisposable
{
    private static readonly string Experiment = Path.Combine(FuzzSeeds.Root, "tests", "Understudy.Tests", "Drills", "Import", "web-experiment.json");
    private readonly string _root = Directory.CreateTempSubdirectory("understudy-drill-import-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CommandRun.RunAsync(DrillCommand.Create(), args);

    [Fact]
    public async Task Import_WithOut_WritesALoadableDrillAndListsEveryNoteOnStderr()
    {
        string output = Path.Combine(_root, "drill.yaml");

        var (exit, stdout, stderr) = await Run("import", "chaostoolkit", Experiment, "-o", output);

        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal("", stdout);
        string[] lines = stderr.TrimEnd().Split(Environment.NewLine);
        Assert.Equal(14, lines.Length);
        Assert.Contains($"{Experiment}: method[2] (python chaosk8s.pod.actions.terminate_pods): not converted: a drill cannot run Chaos Toolkit's Python extensions; an exec step running a CLI that does the same can replace it", lines);
        Assert.Equal($"{Experiment}: wrote {output} (13 notes above, also at the top of the drill file); check it with understudy drill validate {output}", lines[^1]);
        string yaml = await File.ReadAllTextAsync(output);
        DrillResult loaded = DrillLoader.Parse(yaml, output, _root,
            name => name is "SETTLE_SECONDS" ? "3" : "x");
        Assert.Empty(loaded.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task Import_WithoutOut_WritesTheDrillToStdout()
    {
        var (exit, stdout, _) = await Run("import", "chaostoolkit", Experiment);

        Assert.Equal(CliApp.Ok, exit);
        Assert.StartsWith("# Written by understudy drill import chaostoolkit from web-experiment.json", stdout);
        Assert.Contains("- kill_process: {pid: 4242, signal: KILL}", stdout);
    }

    [Fact]
    public async Task Import_BadJson_ExitsTwoWithFileAndLineAndNoStackTrace()
    {
        string path = Path.Combine(_root, "experiment.json");
        await File.WriteAllTextAsync(path, "{\n  \"title\": \"x\"\n  \"method\": []\n}\n");

        var (exit, stdout, stderr) = await Run("import", "chaostoolkit", path, "-o", Path.Combine(_root, "drill.yaml"));

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"{path}:3:3 invalid JSON: '\"' is invalid after a value. Expected either ',', '}}', or ']'.", stderr.TrimEnd());
        Assert.False(File.Exists(Path.Combine(_root, "drill.yaml")));
    }

    [Fact]
    public async Task Import_MissingFile_ExitsTwoWithoutAStackTrace()
    {
        string path = Path.Combine(_root, "no-such.json");

        var (exit, _, stderr) = await Run("import", "chaostoolkit", path);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.StartsWith($"{path}: cannot read the experiment: ", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
