using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>What happens to clients when etcd is lost: by every instance (failsafe), or by one (it stops routing).</summary>
[Collection(RealProcesses.Name)]
public class ClusterPartitionTests
{
    [Fact]
    public async Task Cluster_EtcdLostByEveryInstance_TrafficGoesOnNothingFailsOverAndEachAlertsOnce()
    {
        await using var sink = await HttpSink.StartAsync();
        await using var cluster = await WebCluster.StartAsync(hold: "2s", topLevel: $$"""
            alerts:
              - webhook: { url: "{{sink.Url("webhook")}}" }
            """);
        var clients = cluster.Names.ToDictionary(n => n, n => new RoutedClient(cluster.Ports[n].Proxy));
        try
        {
            await cluster.Etcd.PauseAsync();
            // Past the lease and the hold, an instance without failsafe would have stopped routing.
            var until = DateTimeOffset.UtcNow + WebCluster.LeaseTime + TimeSpan.FromSeconds(4);
            await Eventually.TrueAsync(() => cluster.Names.All(n => sink.Received("webhook").Count(b => Kind(b) == EventTypes.ClusterAlert && Summary(b).Contains(n)) >= 1),
                "every instance to alert that etcd is lost", TimeSpan.FromSeconds(15));
            while (DateTimeOffset.UtcNow < until) await Task.Delay(100);
            foreach (string n in cluster.Names) Assert.True(await cluster[n].IsReadyAsync(), $"{n} stopped routing");
            foreach (var (name, client) in clients)
            {
                var attempts = await client.StopAsync();
                Assert.All(attempts, a => Assert.True(a.Ok && a.AnsweredBy == "web-a", $"{name}: attempt at {a.Start:HH:mm:ss.fff}: {a.AnsweredBy} {a.Error}"));
            }
            Assert.All(cluster.Names, n => Assert.Equal(1, sink.Received("webhook").Count(b => Kind(b) == EventTypes.ClusterAlert && Summary(b).Contains($"for {n} and its peers"))));
        }
        finally
        {
            foreach (var c in clients.Values) await c.DisposeAsync();
            await cluster.Etcd.ResumeAsync();
        }

        // Back: nothing was failed over meanwhile, and the end of the failsafe is journaled.
        var web = await cluster[cluster.Names[1]].ServiceAsync("web");
        Assert.Equal(("web-a", "web-a", 1L), (web.Primary, web.Routable, web.Epoch));
        await Eventually.TrueAsync(async () => (await cluster[cluster.Names[1]].EventsAsync(type: EventTypes.ClusterAlert)).Count >= 3, "the failsafe's end journaled by every instance");
    }

    [Fact]
    public async Task Cluster_OneInstanceCutOff_StopsRoutingAfterTheLeaseNeverToTheFencedMemberAndCatchesUp()
    {
        await using var cluster = await WebCluster.StartAsync(relayed: ["ctl-c"], hold: "2s");
        await using var client = new RoutedClient(cluster.Ports["ctl-c"].Proxy);
        var cutAt = DateTimeOffset.UtcNow;
        cluster.Relay("ctl-c").Cut();

        // Past its lease it holds, then closes. The lease counts from the last renewal it sent before the cut (a
        // renewal lost in the cut does not count), so it stops no later than a lease after the cut, often sooner.
        await Eventually.TrueAsync(async () => !await cluster["ctl-c"].IsReadyAsync(), "ctl-c to stop routing", WebCluster.LeaseTime + TimeSpan.FromSeconds(1));
        var holdingFrom = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        // The primary dies; the others fail over (the leader waits for ctl-c's lease, not for its acknowledgement).
        var killedAt = DateTimeOffset.UtcNow;
        cluster.A.Dispose();
        await Eventually.TrueAsync(async () => (await cluster["ctl-a"].ServiceAsync("web")).Routable == "web-b", "web-b routable on the leader", TimeSpan.FromSeconds(10));
        using var http = new HttpClient();
        Assert.Equal("web-b", (await http.GetStringAsync($"http://127.0.0.1:{cluster.Ports["ctl-b"].Proxy}/")).Trim());

        // Healed: ctl-c reads the log it missed and routes to the new primary.
        cluster.Relay("ctl-c").Restore();
        await Eventually.TrueAsync(async () => (await cluster["ctl-c"].ServiceAsync("web")) is { Routable: "web-b", Epoch: 2 }, "ctl-c to catch up");
        await Eventually.TrueAsync(() => cluster["ctl-c"].IsReadyAsync(), "ctl-c to route again");
        await Eventually.TrueAsync(() => client.Attempts.Any(a => a.Start > DateTimeOffset.UtcNow.AddSeconds(-1) && a.AnsweredBy == "web-b"), "ctl-c's clients reach web-b");
        var attempts = await client.StopAsync();
        Assert.DoesNotContain(attempts, a => a.Start > killedAt && a.AnsweredBy == "web-a");
        // Past the hold (2 s) it refuses new connections: a client of it fails fast rather than reach a member the others may fence.
        var refused = attempts.Where(a => a.Start > holdingFrom.AddSeconds(2.2) && a.Start < killedAt).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, a => Assert.False(a.Ok, $"attempt at +{(a.Start - holdingFrom).TotalMilliseconds:0} ms after ctl-c stopped routing was answered by {a.AnsweredBy}"));
    }

    private static string? Kind(System.Text.Json.JsonElement b) => b.GetProperty("kind").GetString();

    private static string Summary(System.Text.Json.JsonElement b) => b.GetProperty("summary").GetString() ?? "";
}
