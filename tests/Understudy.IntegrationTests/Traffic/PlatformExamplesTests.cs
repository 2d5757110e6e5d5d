using Understudy.Api;
using Understudy.Commands;
using Understudy.Config;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>
/// Issue 15: the platform examples are valid, and a failover from their first member to their second runs exactly the
/// commands examples/platforms/README.md shows. The clouds are not reachable here: stand-in scripts named fly, kubectl,
/// aws and psql record the argv they were started with.
/// </summary>
public class PlatformExamplesTests
{
    private static readonly string[] Tools = ["fly", "kubectl", "aws", "psql"];

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["ALICE_TOKEN"] = "alice-token-0123456789", ["BOB_TOKEN"] = "bob-token-0123456789", ["PGPASSWORD"] = "secret",
    };

    [Theory]
    [InlineData("fly.yaml")]
    [InlineData("kubernetes.yaml")]
    [InlineData("aws.yaml")]
    [InlineData("supabase.yaml")]
    public async Task Failover_RunsTheCommandsTheReadmeShows(string file)
    {
        string folder = Path.Combine(RepoRoot(), "examples", "platforms");
        ConfigResult result = ConfigLoader.Parse(await File.ReadAllTextAsync(Path.Combine(folder, file)), file, folder, n => Environment.GetValueOrDefault(n));
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        ServiceSpec spec = Assert.Single(result.Spec!.Services);
        IReadOnlyList<string> plan = PlanCommands.For(spec, RequestKind.Failover, spec.Members[0].Name, spec.Members[1].Name, 2)
            .Where(c => !c.StartsWith("hooks.on_", StringComparison.Ordinal)).ToList();

        using var dir = new TempDir();
        foreach (string tool in Tools)
        {
            await File.WriteAllTextAsync(dir.File(tool), "#!/bin/sh\n{ printf '%s' \"$(basename \"$0\")\"; for a in \"$@\"; do printf '\\037%s' \"$a\"; done; printf '\\n'; } >> \"$ARGV_LOG\"\n");
        }
        // Each command as the executor runs it: its argv, with the program found among the stand-ins.
        var runner = new CommandRunner(dir.Path, TimeProvider.System);
        var lists = spec.Hooks.Fence.Concat(spec.TrafficSwitches.Hooks);
        var placeholders = Understudy.Failover.Executor.HookPlaceholders(spec, spec.Members[0].Name, spec.Members[1].Name, 2);
        foreach (HookSpec hook in lists)
        {
            string[] argv = ["sh", dir.File(hook.Exec[0]), .. Understudy.Failover.Executor.Argv(hook, placeholders).Skip(1)];
            CommandOutcome o = await runner.RunAsync(argv, TimeSpan.FromSeconds(10), default, new Dictionary<string, string> { ["ARGV_LOG"] = dir.File("argv.log") });
            Assert.True(o.Succeeded, $"{o.Command}: {o.Summary} {o.Output}");
        }
        string[] recorded = [.. (await File.ReadAllLinesAsync(dir.File("argv.log"))).Select(l => PlanCommands.Shell(l.Split('\u001f')))];

        string[] shown = ReadmeBlock(await File.ReadAllTextAsync(Path.Combine(folder, "README.md")), file);
        Assert.True(shown.SequenceEqual(plan.Select(c => "  " + c)), $"README block for {file} differs from the plan:\n{string.Join('\n', plan.Select(c => "  " + c))}");
        Assert.Equal(plan.Select(c => c[(c.IndexOf(": ", StringComparison.Ordinal) + 2)..]), recorded);
    }

    /// <summary>The lines of the README's block that follows <c>&lt;!-- commands: FILE --&gt;</c>, after "commands it would run, in order:".</summary>
    private static string[] ReadmeBlock(string readme, string file)
    {
        string marker = $"<!-- commands: {file} -->";
        int at = readme.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README.md has no {marker}");
        string block = readme[(readme.IndexOf("```text\n", at, StringComparison.Ordinal) + 8)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        return [.. block.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipWhile(l => !l.StartsWith("commands it would run", StringComparison.Ordinal)).Skip(1)];
    }

    private static string RepoRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        return root;
    }
}
