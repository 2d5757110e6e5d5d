using Understudy.Core.Topology;
using Understudy.Failover.Actions;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Failover;

[Collection(RealProcesses.Name)]
public class HookRunnerTests
{
    private static readonly Dictionary<string, string> Placeholders = new() { ["service"] = "web", ["old_primary"] = "web-a", ["new_primary"] = "web-b", ["epoch"] = "2" };

    [Fact]
    public async Task Run_FillsPlaceholdersWithoutAShellAndKeepsOutputAndExitCode()
    {
        using var dir = new TempDir();
        var runner = new HookRunner(dir.Path, TimeProvider.System);

        var o = await runner.RunAsync(new HookSpec(["sh", "-c", "echo \"$0 $1\"; echo oops >&2; exit 3", "{{old_primary}}", "to {{new_primary}}; rm -rf x"], TimeSpan.FromSeconds(10)), Placeholders, default);

        Assert.Equal((3, false), (o.ExitCode, o.TimedOut));
        Assert.Contains("web-a to web-b; rm -rf x", o.Output);
        Assert.Contains("oops", o.Output);
        Assert.Equal("sh -c echo \"$0 $1\"; echo oops >&2; exit 3 web-a to web-b; rm -rf x", o.Command);
    }

    [Fact]
    public async Task Run_PastItsTimeout_IsKilledWithItsChildren()
    {
        using var dir = new TempDir();
        var runner = new HookRunner(dir.Path, TimeProvider.System);

        var o = await runner.RunAsync(new HookSpec(["sh", "-c", "sleep 30 & echo $! > child.pid; wait"], TimeSpan.FromMilliseconds(300)), Placeholders, default);

        Assert.True(o.TimedOut);
        Assert.Null(o.ExitCode);
        Assert.True(o.Duration < TimeSpan.FromSeconds(20), $"took {o.Duration}");
        int child = int.Parse(await File.ReadAllTextAsync(dir.File("child.pid")));
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{child}") || File.ReadAllText($"/proc/{child}/stat").Split(' ')[2] == "Z", "the hook's child to be gone");
    }

    [Fact]
    public async Task Run_MissingProgram_IsAFailedOutcomeNotAnException()
    {
        using var dir = new TempDir();
        var o = await new HookRunner(dir.Path, TimeProvider.System).RunAsync(new HookSpec(["no-such-program-here"], TimeSpan.FromSeconds(5)), Placeholders, default);

        Assert.False(o.Succeeded);
        Assert.Equal("could not start", o.Summary);
    }
}
