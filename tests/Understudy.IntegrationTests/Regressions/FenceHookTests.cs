using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;
using Understudy.IntegrationTests.Postgres;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13, items 6 and 7 on real PostgreSQL and a real controller: a required fence hook that fails stops the
/// failover until an operator forces it; a fence hook left running by a SIGKILLed controller is ended before the
/// restarted one runs it again.
/// </summary>
[Collection(RealProcesses.Name)]
public class FenceHookTests
{
    [Fact]
    public async Task RequiredFenceHookFails_NoPromotionDegradedAlerted_ThenOperatorForces()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1,
            hooks: """{ fence: [ { exec: [sh, -c, "echo cannot reach {{old_primary}} >&2; exit 1"], timeout: 10s } ] }""");
        PgServer pg1 = pg.Server("pg1"), pg2 = pg.Server("pg2");

        pg1.Kill();

        await Eventually.TrueAsync(async () => (await pg.Controller.EventsAsync("orders-db", EventTypes.FailoverBlocked)).Count == 1, "failover.blocked");
        ServiceView stopped = await pg.ServiceAsync();
        Assert.Equal(("degraded", null, "fencefailed"), (stopped.Phase, stopped.Routable, stopped.Failover?.Stage));
        Assert.Contains("a required fence hook failed (fence hook 1 `sh -c echo cannot reach pg1 >&2; exit 1` exited 1", stopped.HoldReason);
        Assert.True(await pg2.IsInRecoveryAsync());
        EventView hookFailed = Assert.Single(await pg.Controller.EventsAsync("orders-db", EventTypes.HookFailed));
        Assert.Equal(("true", "critical"), (hookFailed.Details["required"]?.ToString()?.ToLowerInvariant(), hookFailed.Details["severity"]?.ToString()));
        Assert.Contains("cannot reach pg1", hookFailed.Details["output"]?.ToString());
        Assert.Contains(await pg.Controller.EventsAsync("orders-db", EventTypes.AlertRaised),
            a => a.Details["severity"]?.ToString() == "critical" && a.Details["reason"]?.ToString()?.Contains("stopped before promotion") == true);

        var forced = await CliRunner.RunAsync("failover", "orders-db", "--force", "--reason", "pg1 is powered off", "-c", pg.Config);

        Assert.True(forced.ExitCode == 0, $"exit {forced.ExitCode}\n{forced.Out}\n{forced.Err}");
        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: "pg2", Failover: null }, "the forced failover to complete");
        Assert.False(await pg2.IsInRecoveryAsync());
        EventView force = Assert.Single(await pg.Controller.EventsAsync("orders-db", EventTypes.FailoverForced));
        Assert.Equal(Actors.Operator, force.Actor);
        Assert.Contains("accepting the risk that pg1 still runs and accepts writes", force.Details["reason"]?.ToString());
    }

    [Fact]
    public async Task ControllerKilledWhileAFenceHookRuns_RestartedOneEndsItBeforeRunningItAgain()
    {
        using var dir = new TempDir();
        string log = dir.File("fence.log");
        // The first run waits (with a child); a later one notes whether the first is still alive, then succeeds.
        await File.WriteAllTextAsync(dir.File("fence.sh"), """
            log="$1"
            if [ -f "$log.pid" ]; then
              first=$(cat "$log.pid")
              echo "start $$ first $first $(cut -d' ' -f3 /proc/$first/stat 2>/dev/null || echo gone)" >> "$log"
              exit 0
            fi
            echo $$ > "$log.pid"
            sleep 1000 &
            echo $! > "$log.child"
            echo "start $$" >> "$log"
            wait
            """);
        await using var pg = await PgControlled.StartAsync(standbys: 1,
            hooks: $$"""{ fence: [ { exec: [sh, "{{dir.File("fence.sh")}}", "{{log}}"], timeout: 5m } ] }""");

        pg.Server("pg1").Kill();
        await Eventually.TrueAsync(async () => File.Exists(log) && (await pg.Controller.EventsAsync("orders-db", EventTypes.HookStarted)).Count == 1,
            "the fence hook's first run, journaled as hook.started");
        int first = int.Parse(await File.ReadAllTextAsync(log + ".pid")), child = int.Parse(await File.ReadAllTextAsync(log + ".child"));
        try
        {
            await KilledAndRestartedAsync(pg, log, first, child);
        }
        finally
        {
            // Should the controller not end it, this test does: the first run is a group of its own, numbered by its PID.
            if (ProcFs.IsAlive(first) && ProcFs.CommandLine(first)?.Contains("fence.sh", StringComparison.Ordinal) == true)
                Understudy.Hosting.Signals.TrySend(-first, Understudy.Hosting.Signals.Kill);
        }
    }

    private static async Task KilledAndRestartedAsync(PgControlled pg, string log, int first, int child)
    {
        await pg.Controller.KillAsync();
        Assert.True(ProcFs.IsAlive(first) && ProcFs.IsAlive(child), "the hook outlived the controller (what a restart must deal with)");

        await pg.RestartControllerAsync();

        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: "pg2", Failover: null }, "the resumed failover to complete");
        string[] runs = await File.ReadAllLinesAsync(log);
        Assert.Equal(2, runs.Length);
        string[] second = runs[1].Split(' ');
        Assert.Equal($"first {first}", $"{second[2]} {second[3]}");
        Assert.True(second[4] is "gone" or "Z", $"the first run was still alive ({second[4]}) when the second started");
        Assert.False(ProcFs.IsAlive(child), "the first run's child outlived its group");
        EventView ended = Assert.Single(await pg.Controller.EventsAsync("orders-db", EventTypes.HookEnded));
        Assert.Equal("terminated", ended.Details["outcome"]?.ToString());
        Assert.Contains($"(pid {first})", ended.Details["reason"]?.ToString());
    }
}
