using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Demo;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>
/// traffic.haproxy with two controllers on etcd and one HAProxy (Debian's 2.6): only the leader drives HAProxy's runtime
/// API, and the next leader, after the first one is killed, puts right a server state that drifted while nobody led.
/// </summary>
[Collection(RealProcesses.Name)]
public class ClusterHaproxyTests
{
    private static string Reason(EventView e) => e.Details.GetValueOrDefault("reason")?.ToString() ?? "";

    [Fact]
    public async Task Haproxy_TwoControllers_LeaderSwitches_NextLeaderResetsADriftedServerToMaint()
    {
        using var dir = new TempDir();
        int portA = FreePort.Next(), portB = FreePort.Next();
        using SampleAppProcess a = await SampleAppProcess.StartAsync("web-a", portA, Eventually.Deadline);
        using SampleAppProcess b = await SampleAppProcess.StartAsync("web-b", portB, Eventually.Deadline);
        await using HaproxyProcess haproxy = await HaproxyProcess.StartAsync(dir, "web", [("web-a", portA), ("web-b", portB)]);
        await using WebCluster cluster = await WebCluster.StartAsync(instances: 2, services: proxy => $$"""
            services:
              web:
                kind: http
                members:
                  - { name: web-a, address: 127.0.0.1:{{portA}} }
                  - { name: web-b, address: 127.0.0.1:{{portB}} }
                primary: web-a
                check: { path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }
                failover: { mode: automatic, cooldown: 0s }
                traffic:
                  proxy: { listen: 127.0.0.1:{{proxy}}, hold: 5s }
                  haproxy: { socket: {{haproxy.Socket}}, backend: web }
            """);
        Assert.Equal("ctl-a", await cluster.LeaderAsync());
        await Eventually.TrueAsync(async () => (await haproxy.StatesAsync("web"))["web-b"] == "maint", "the leader's first reconcile: web-b in maint");

        a.Kill();
        await Eventually.TrueAsync(async () => (await cluster["ctl-a"].EventsAsync("web", EventTypes.FailoverCompleted)).Count == 1, "failover.completed");
        Assert.Equal(new Dictionary<string, string> { ["web-a"] = "maint", ["web-b"] = "ready" }, await haproxy.StatesAsync("web"));

        // The leader dies; while nobody leads, someone sets the old primary's server ready by hand.
        await cluster.KillAsync("ctl-a");
        await haproxy.Runtime.SetStateAsync("web", "web-a", ready: true, CancellationToken.None);
        Assert.Equal("ready", (await haproxy.StatesAsync("web"))["web-a"]);

        Assert.Equal("ctl-b", await cluster.LeaderAsync(WebCluster.LeaseTime + TimeSpan.FromSeconds(5)));
        await Eventually.TrueAsync(async () => (await haproxy.StatesAsync("web"))["web-a"] == "maint", "the new leader to put web-a back in maint");
        Assert.Equal("ready", (await haproxy.StatesAsync("web"))["web-b"]);

        EventView reset = await Eventually.GetAsync(async () => (await cluster["ctl-b"].EventsAsync("web", EventTypes.TrafficReconciled)).LastOrDefault(e => e.Epoch == 2),
            "the new leader's traffic.reconciled");
        Assert.True(Reason(reset).Contains("web-a ready, not maint", StringComparison.Ordinal), Reason(reset));
        IReadOnlyList<EventView> events = await cluster["ctl-b"].EventsAsync("web");
        Assert.Equal("web-b", reset.Member);
        // Switched once, by the first leader; the second only reconciled.
        Assert.Single(events, e => e.Type == EventTypes.TrafficSwitched);
        Assert.Equal(2L, (await cluster["ctl-b"].ServiceAsync("web")).Epoch);
    }
}
