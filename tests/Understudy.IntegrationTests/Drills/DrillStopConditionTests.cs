using Understudy.Core.Drills;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary>Each stop condition beyond max_outage aborts a drill that would otherwise go on (exit 3), and rollback runs.</summary>
[Collection(RealProcesses.Name)]
public class DrillStopConditionTests
{
    /// <summary>Far longer than any condition needs to fire: a drill that ends before it was stopped early.</summary>
    private const string LongWait = "  - wait: 60s";

    private const string Rollback = "rollback:\n  - exec: [touch, rolled-back]";

    [Fact]
    public async Task Run_MaxP99_ALatencyFaultAbortsAndRollbackClearsIt()
    {
        // Checks that tolerate the latency: the drill, not a failover, must end the slow period.
        await using var pair = await WebPair.StartAsync(check: "{ path: /health, interval: 2s, timeout: 1500ms, fall: 3, rise: 2 }");
        await using var controller = await pair.StartControllerAsync();

        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair,
            faults: $"  - proxy: {{ member: web-a, fault: latency, latency: 300ms, duration: 60s }}\n{LongWait}",
            extra: $"{Rollback}\nstop_conditions: {{ max_p99: {{ latency: 150ms, window: 1s }} }}"));

        DrillReport report = AssertAborted(run, pair.Dir, "stop condition max_p99: probe web had a p99 latency of ");
        Assert.True(Assert.Single(report.Steps, s => s.Step == "clear the proxy fault toward web-a").Ok);
    }

    [Fact]
    public async Task Run_MaxErrorRate_AKilledBackendAborts()
    {
        // No controller: nothing fails over, so the probe keeps failing until the condition fires.
        await using var pair = await WebPair.StartAsync();

        var run = await DrillRun.RunAsync(pair.Dir, Unmanaged(pair, "  - kill_process: { pidfile: run/web-a.pid }",
            "max_error_rate: { rate: 50%, window: 1s }"));

        AssertAborted(run, pair.Dir, "stop condition max_error_rate: probe web failed ");
    }

    [Fact]
    public async Task Run_Command_AbortsOnceItsCheckFails()
    {
        await using var pair = await WebPair.StartAsync();

        var run = await DrillRun.RunAsync(pair.Dir, Unmanaged(pair, "  - exec: [touch, FLAG]",
            "command: { run: [sh, -c, \"test ! -e FLAG\"], interval: 100ms }"));

        AssertAborted(run, pair.Dir, "stop condition command: sh -c test ! -e FLAG exited 1 after ");
    }

    /// <summary>A drill probing web-a directly, with <paramref name="fault"/> and then a long wait.</summary>
    private static string Unmanaged(WebPair pair, string fault, string condition) => $$"""
        name: stop early
        probes:
          - { name: web, http: { url: "http://127.0.0.1:{{pair.PortA}}/", interval: 20ms, timeout: 1s } }
        steady_state: { duration: 1s, max_error_rate: 0 }
        faults:
        {{fault}}
        {{LongWait}}
        {{Rollback}}
        stop_conditions: { {{condition}} }
        """;

    private static DrillReport AssertAborted(DrillRun.Result run, TempDir dir, string reason)
    {
        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.True(run.Cli.ExitCode == 3, $"exit {run.Cli.ExitCode}\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.Equal(Verdict.Aborted, report.Verdict);
        Assert.StartsWith(reason, report.AbortReason);
        // Stopped during the wait, well before its end.
        Assert.True(report.EndedAt - report.FaultAt < TimeSpan.FromSeconds(30), $"ended {(report.EndedAt - report.FaultAt)?.TotalSeconds:0.#} s after the fault");
        Assert.True(Assert.Single(report.Steps, s => s.Phase == "rollback" && s.Step.StartsWith("exec touch")).Ok);
        Assert.True(File.Exists(dir.File("rolled-back")), "rollback did not run");
        return report;
    }
}
