using System.Diagnostics;
using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Network;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Drills;

/// <summary>
/// network drops as real nft rules on this host. Every rule names one test port on 127.0.0.1, so other tests
/// (and other people's) on this machine are untouched.
/// </summary>
[Collection(RealProcesses.Name)]
public class NetworkFaultTests
{
    private const string TablePrefix = "understudy_drill_";

    [Fact]
    public async Task Run_DropToThePrimarysPort_FailsOverOnCheckTimeoutsAndLeavesNoTable()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair,
            faults: $"  - network: {{ target: 127.0.0.1:{pair.PortA}, drop: true, duration: 30s }}"));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.True(report.Criteria.Single(c => c.Name == "recovered").Passed, string.Join("\n", report.Issues) + run.Cli.Out);
        Assert.Equal("web-b", (await controller.ServiceAsync("web")).Routable);
        // Dropped packets look like a hung host: the checks time out, nothing is refused.
        Assert.Contains(report.Events, e => e.Type == EventTypes.MemberDown && e.Member == "web-a" && e.Reason.Contains("timeout after 150 ms"));
        StepRecord removed = Assert.Single(report.Steps, s => s.Step.StartsWith("remove the network faults' nft table inet " + TablePrefix, StringComparison.Ordinal));
        Assert.True(removed.Ok, removed.Actual);
        Assert.Equal("deleted", removed.Actual);
        string table = removed.Step.Split(' ')[^1];
        Assert.DoesNotContain(table, await Shell.RunAsync("nft", "list", "tables"));
    }

    [Fact]
    public async Task Run_KilledMidFault_ItsRuleExpiresByItselfWithinDurationPlusMargin()
    {
        await using var pair = await WebPair.StartAsync();
        TimeSpan duration = TimeSpan.FromSeconds(6);
        string file = pair.Dir.File("drill.yaml");
        await File.WriteAllTextAsync(file, $$"""
            name: killed mid fault
            probes: [ { name: other, tcp: { address: 127.0.0.1:{{pair.PortB}}, interval: 100ms } } ]
            steady_state: { duration: 0s }
            faults:
              - network: { target: 127.0.0.1:{{pair.PortA}}, drop: true, duration: {{duration.TotalSeconds}}s }
            recovery: { timeout: 60s, stable_for: 50s }
            """);
        var output = new List<string>();
        using Process drill = SelfProcess.Start(line => { lock (output) output.Add(line); }, "drill", "run", file, "--out", pair.Dir.File("reports"));
        string table;
        try
        {
            table = await Eventually.GetAsync(() => TableOfAsync(drill.Id), $"the drill's nft table (pid {drill.Id})");
        }
        catch (TimeoutException e)
        {
            lock (output) throw new Xunit.Sdk.XunitException($"{e.Message}; the drill printed:\n{string.Join('\n', output)}");
        }
        finally
        {
            drill.Kill(); // SIGKILL by this handle: no rollback, no timer of the drill runs after this
            await drill.WaitForExitAsync();
        }

        try
        {
            Assert.False(await ConnectsAsync(pair.PortA), "the primary's port answered while the drop was in force");
            Assert.True(await ConnectsAsync(pair.PortB), "a port the rule does not name was dropped too");
            await Eventually.TrueAsync(async () => !(await Shell.RunAsync("nft", "list", "table", "inet", table)).Contains("elements", StringComparison.Ordinal),
                $"the element of {table} to expire", duration + NftRuleset.Margin + TimeSpan.FromSeconds(10));
            Assert.True(await ConnectsAsync(pair.PortA), "the primary's port stayed dropped after the element expired");
        }
        finally
        {
            // What a killed drill leaves: an empty table that drops nothing. The test removes it.
            await Shell.RunAsync("nft", "delete", "table", "inet", table);
        }
    }

    [Fact]
    public async Task Run_DelayToAMember_IsTheProxysLatencyFaultAndRollbackClearsIt()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        // 60 ms stays under the checks' 150 ms timeout: the member is slow, not down.
        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair,
            faults: $"  - network: {{ target: 127.0.0.1:{pair.PortA}, delay: 60ms, duration: 2s }}\n  - wait: 2s"));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        StepRecord delay = Assert.Single(report.Steps, s => s.Step.StartsWith("network delay", StringComparison.Ordinal));
        Assert.True(delay.Ok, delay.Actual);
        Assert.StartsWith("the controller's proxy delays traffic to web-a", delay.Actual);
        Assert.Contains(report.Events, e => e.Type == EventTypes.FaultInjected && e.Member == "web-a" && e.Actor == Actors.Drill && e.Reason.StartsWith("latency", StringComparison.Ordinal));
        Assert.Contains(run.Samples, s => s.Sample.Ok && s.Sample.Latency >= TimeSpan.FromMilliseconds(60));
        Assert.True(Assert.Single(report.Steps, s => s.Step == "clear the proxy fault toward web-a").Ok);
        Assert.Equal("web-a", (await controller.ServiceAsync("web")).Routable);
    }

    [Fact]
    public async Task Run_DelayToAnAddressNoMemberHas_AbortsWithTheReason()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair, faults: "  - network: { target: 127.0.0.1:1, delay: 60ms, duration: 2s }"));

        Assert.Equal(3, run.Cli.ExitCode);
        Assert.StartsWith($"fault step failed: network delay 60 ms ± 0 ms 127.0.0.1:1 for 2 s: no member of service web has address 127.0.0.1:1 (web-a 127.0.0.1:{pair.PortA}, web-b 127.0.0.1:{pair.PortB}); "
            + "a delay needs a member behind the controller's proxy, since this kernel has no netem", run.Report!.AbortReason);
        Assert.DoesNotContain("   at ", run.Cli.Err);
    }

    private static async Task<string?> TableOfAsync(int pid) =>
        (await Shell.RunAsync("nft", "list", "tables")).Split('\n')
            .Select(line => line.Trim().Split(' ')[^1])
            .FirstOrDefault(name => name.StartsWith($"{TablePrefix}{pid}_", StringComparison.Ordinal));

    /// <summary>Whether a connect to the port completes within a second (a dropped SYN never does).</summary>
    private static async Task<bool> ConnectsAsync(int port)
    {
        using var client = new TcpClient();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, limit.Token);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException) { return false; }
    }
}
