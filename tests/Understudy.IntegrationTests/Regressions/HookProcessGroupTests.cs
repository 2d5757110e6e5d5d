using Understudy.Commands;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>Issue 13, item 6: commands (hooks) run in a process group of their own, and the timeout kills all of it.</summary>
[Collection(RealProcesses.Name)]
public class HookProcessGroupTests
{
    [Fact]
    public async Task Run_StartsTheCommandInAProcessGroupOfItsOwn()
    {
        using var dir = new TempDir();
        SpawnedProcess? started = null;

        var o = await new CommandRunner(dir.Path, TimeProvider.System).RunAsync(["sh", "-c", "cut -d' ' -f5 /proc/$$/stat"], TimeSpan.FromSeconds(10), default,
            started: p => started = p);

        Assert.Equal(0, o.ExitCode);
        Assert.NotNull(started);
        Assert.Equal(started.Pid, started.ProcessGroup);
        Assert.Equal(started.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), o.Output.Trim());
    }

    [Fact]
    public async Task Run_PastItsTimeout_KillsAGrandchildWhoseParentAlreadyExited()
    {
        using var dir = new TempDir();
        var runner = new CommandRunner(dir.Path, TimeProvider.System);

        // The subshell starts the grandchild and exits: it is no longer in the hook's process tree, only in its group.
        var o = await runner.RunAsync(["sh", "-c", "(sleep 1000 & echo $! > grandchild.pid); sleep 1000"], TimeSpan.FromMilliseconds(500), default);

        Assert.True(o.TimedOut);
        int grandchild = int.Parse(await File.ReadAllTextAsync(dir.File("grandchild.pid")));
        try
        {
            await Eventually.TrueAsync(() => !ProcFs.IsAlive(grandchild), "the orphaned grandchild to be killed with its group", TimeSpan.FromSeconds(5));
        }
        finally
        {
            Understudy.Hosting.Signals.TrySend(grandchild, Understudy.Hosting.Signals.Kill);
        }
    }
}
