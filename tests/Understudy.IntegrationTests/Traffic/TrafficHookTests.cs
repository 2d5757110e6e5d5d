using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Probes;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>Issue 15: <c>traffic.hooks</c> switch the platform's routing as a step of the failover; a failed switch is retried while clients wait.</summary>
[Collection(RealProcesses.Name)]
public class TrafficHookTests
{
    [Fact]
    public async Task Failover_TrafficHookFailsOnce_RetriedAlertedAndClientsHeldUntilItSucceeds()
    {
        await using var pair = await WebPair.StartAsync(hold: "10s",
            trafficExtra: """hooks: [ { exec: [sh, switch.sh, "{{new_primary}}", "{{new_primary_address}}", "{{epoch}}", "{{old_primary}}"], timeout: 5s } ]""");
        // A stand-in for a platform CLI: records its argv; its first call fails as an unreachable API would.
        string script = pair.Dir.File("switch.sh");
        await File.WriteAllTextAsync(script, """
            #!/bin/sh
            if [ ! -e attempted ]; then touch attempted; echo "platform API unavailable" >&2; exit 3; fi
            echo "$@" >> switch.log
            """);
        await using var controller = await pair.StartControllerAsync();

        using var probe = new HttpProbe(new ProbeSpec("web", ProbeKind.Http, pair.ProxyUrl.ToString(), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(15)), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        Task probing = probe.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok && s.AnsweredBy == "web-a") >= 10, "steady traffic to web-a");

        DateTimeOffset killedAt = DateTimeOffset.UtcNow;
        pair.A.Kill();
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.FailoverCompleted)).Count > 0, "the failover completed");
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok && s.AnsweredBy == "web-b") >= 10, "steady traffic to web-b");
        await stop.CancelAsync();
        await probing;

        var events = await controller.EventsAsync("web");
        string[] steps = [EventTypes.MemberFenced, EventTypes.TrafficSwitching, EventTypes.TrafficSwitchFailed, EventTypes.TrafficSwitching, EventTypes.TrafficSwitched, EventTypes.FailoverCompleted];
        Assert.Equal(steps, events.Where(e => steps.Contains(e.Type)).Select(e => e.Type));
        var failed = events.Single(e => e.Type == EventTypes.TrafficSwitchFailed);
        string reason = failed.Details["reason"]?.ToString() ?? "";
        Assert.Contains("exited 3", reason);
        Assert.Contains("platform API unavailable", reason);
        Assert.Contains(events, e => e.Type == EventTypes.AlertRaised && $"{e.Details["reason"]}".Contains("switching traffic to web-b failed (attempt 1)"));
        // The retry came after the backoff (1 s), and the proxy held clients until the switch succeeded: none went to web-a, none failed after the kill.
        DateTimeOffset switchedAt = events.Single(e => e.Type == EventTypes.TrafficSwitched).Time;
        Assert.True(switchedAt - failed.Time >= TimeSpan.FromSeconds(0.9), $"retried {(switchedAt - failed.Time).TotalMilliseconds:0} ms after the failure");
        Assert.DoesNotContain(probe.Samples, s => s.Start > killedAt.AddMilliseconds(50) && (!s.Ok || s.AnsweredBy == "web-a"));
        Assert.DoesNotContain(probe.Samples, s => s.Ok && s.AnsweredBy == "web-b" && s.End < failed.Time);

        Assert.Equal($"web-b 127.0.0.1:{pair.PortB} 2 web-a", (await File.ReadAllTextAsync(pair.Dir.File("switch.log"))).Trim());
    }

    [Fact]
    public async Task DryRun_PrintsEveryCommandTheChangeWouldRunWithItsPlaceholdersFilled()
    {
        await using var pair = await WebPair.StartAsync(
            hooks: """{ on_switchover: [ { exec: [notify, "{{service}} moved to {{new_primary}}"] } ] }""",
            trafficExtra: """hooks: [ { exec: [kubectl, label, pod, "{{new_primary}}", "role=primary", --overwrite] }, { exec: [route, "{{new_primary_address}}", "epoch {{epoch}}"] } ]""");
        await using var controller = await pair.StartControllerAsync();

        var dry = await CliRunner.RunAsync(new Dictionary<string, string> { ["UNDERSTUDY_API"] = $"http://127.0.0.1:{pair.ApiPort}" },
            "switchover", "web", "--to", "web-b", "--reason", "rehearsal", "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.Out + dry.Err);
        string[] expected =
        [
            "commands it would run, in order:",
            "  traffic.hooks[0]: kubectl label pod web-b role=primary --overwrite",
            $"  traffic.hooks[1]: route 127.0.0.1:{pair.PortB} 'epoch 2'",
            "  hooks.on_switchover[0]: notify 'web moved to web-b'",
        ];
        string[] lines = dry.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected, lines.SkipWhile(l => !l.StartsWith("commands", StringComparison.Ordinal)));
        Assert.Empty(await controller.EventsAsync("web", EventTypes.RequestCreated));
    }
}
