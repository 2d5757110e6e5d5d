using Understudy.Commands;
using System.Diagnostics;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Commands;

[Collection(RealProcesses.Name)]
public class CommandRunnerTests
{
    [Fact]
    public async Task Run_PassesArgumentsWithoutAShellAndKeepsOutputAndExitCode()
    {
        using var dir = new TempDir();
        var runner = new CommandRunner(dir.Path, TimeProvider.System);

        var o = await runner.RunAsync(["sh", "-c", "echo \"$0 $1\"; echo oops >&2; exit 3", "web-a", "to web-b; rm -rf x"], TimeSpan.FromSeconds(10), default);

        Assert.Equal((3, false), (o.ExitCode, o.TimedOut));
        Assert.Contains("web-a to web-b; rm -rf x", o.Output);
        Assert.Contains("oops", o.Output);
    }

    [Fact]
    public async Task Run_BackgroundChildKeepsThePipesOpen_DoesNotHoldUpTheOutcome()
    {
        using var dir = new TempDir();
        var runner = new CommandRunner(dir.Path, TimeProvider.System);
        var sw = Stopwatch.StartNew();

        var o = await runner.RunAsync(["sh", "-c", "sleep 25 & echo $! > child.pid; echo started"], TimeSpan.FromSeconds(10), default);

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), $"took {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal((0, false), (o.ExitCode, o.TimedOut));
        Assert.Contains("started", o.Output);
        Signals.TrySend(int.Parse(await File.ReadAllTextAsync(dir.File("child.pid"))), Signals.Kill);
    }

    [Fact]
    public async Task Run_PastItsTimeout_IsKilledWithItsChildren()
    {
        using var dir = new TempDir();
        var runner = new CommandRunner(dir.Path, TimeProvider.System);

        var o = await runner.RunAsync(["sh", "-c", "sleep 30 & echo $! > child.pid; wait"], TimeSpan.FromMilliseconds(300), default);

        Assert.True(o.TimedOut);
        Assert.Null(o.ExitCode);
        Assert.Equal("killed at its 0.3 s timeout", o.Summary);
        int child = int.Parse(await File.ReadAllTextAsync(dir.File("child.pid")));
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{child}") || File.ReadAllText($"/proc/{child}/stat").Split(' ')[2] == "Z", "the command's child to be gone");
    }

    [Fact]
    public async Task Run_RelativeProgramPath_IsFoundFromTheWorkingDirectory()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("hook.sh"), "#!/bin/sh\npwd\n");
        var runner = new CommandRunner(dir.Path, TimeProvider.System);
        Assert.Equal(0, (await runner.RunAsync(["chmod", "+x", "hook.sh"], TimeSpan.FromSeconds(10), default)).ExitCode);

        var o = await runner.RunAsync(["./hook.sh"], TimeSpan.FromSeconds(10), default);

        Assert.Equal(0, o.ExitCode);
        Assert.Equal(dir.Path, o.Output.Trim());
    }

    [Fact]
    public async Task Run_MissingProgram_IsAFailedOutcomeNotAnException()
    {
        using var dir = new TempDir();
        var o = await new CommandRunner(dir.Path, TimeProvider.System).RunAsync(["no-such-program-here"], TimeSpan.FromSeconds(5), default);

        Assert.False(o.Succeeded);
        Assert.Equal("could not start", o.Summary);
    }
}
