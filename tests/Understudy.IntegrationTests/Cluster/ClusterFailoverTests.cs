using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>Three instances on a real etcd in front of two sample apps, a client through every follower's proxy.</summary>
[Collection(RealProcesses.Name)]
public class ClusterFailoverTests
{
    [Fact]
    public async Task Cluster_LeaderThenPrimaryKilled_NoClientFailsAndEveryInstanceAgrees()
    {
        await using var cluster = await WebCluster.StartAsync();
        string leader = await cluster.LeaderAsync();
        Assert.Equal("ctl-a", leader);
        var followers = cluster.Names.Where(n => n != leader).ToList();
        var clients = followers.ToDictionary(n => n, n => new RoutedClient(cluster.Ports[n].Proxy));
        try
        {
            // The leader dies with nothing of it left (no resign): a follower takes the lead within the lease and a little more.
            await Task.Delay(300);
            var killedAt = DateTimeOffset.UtcNow;
            await cluster.KillAsync(leader);
            string next = await cluster.LeaderAsync(WebCluster.LeaseTime + TimeSpan.FromSeconds(2));
            Assert.Contains(next, followers);
            Assert.True(DateTimeOffset.UtcNow - killedAt <= WebCluster.LeaseTime + TimeSpan.FromSeconds(2), "no new leader within lease + 2 s");

            // Then the primary dies: every surviving proxy serves web-b, holding new connections meanwhile.
            await Task.Delay(300);
            var primaryKilledAt = DateTimeOffset.UtcNow;
            cluster.A.Dispose();
            await Eventually.TrueAsync(async () => (await cluster[next].ServiceAsync("web")).Routable == "web-b", "web-b routable");
            await Task.Delay(500);

            foreach (var (name, client) in clients)
            {
                var attempts = await client.StopAsync();
                // Only a request in flight when web-a died may fail; every one started after the kill succeeds.
                Assert.All(attempts.Where(a => a.Start > primaryKilledAt.AddMilliseconds(20)), a => Assert.True(a.Ok, $"{name}: attempt at +{(a.Start - primaryKilledAt).TotalMilliseconds:0} ms failed: {a.Error}"));
                Assert.True(attempts.Count(a => !a.Ok) <= 1, $"{name}: {attempts.Count(a => !a.Ok)} failed attempts");
                Assert.Contains(attempts, a => a.Start > primaryKilledAt && a.AnsweredBy == "web-b");
                Assert.DoesNotContain(attempts, a => a.Start > primaryKilledAt.AddMilliseconds(50) && a.AnsweredBy == "web-a");
            }
        }
        finally
        {
            foreach (var c in clients.Values) await c.DisposeAsync();
        }

        // The survivors say the same: status, and the journal event for event.
        var statuses = await Task.WhenAll(followers.Select(n => cluster[n].ServiceAsync("web")));
        Assert.All(statuses, s => Assert.Equal(("web-b", "web-b", 2L), (s.Primary, s.Routable, s.Epoch)));
        await Eventually.TrueAsync(async () =>
        {
            var journals = await Task.WhenAll(followers.Select(n => cluster[n].EventsAsync("web")));
            return journals.All(j => Describe(j) == Describe(journals[0])) && journals[0].Any(e => e.Type == EventTypes.FailoverCompleted);
        }, "the survivors' journals to agree");

        // The killed instance comes back, catches up from the log and routes to the new primary.
        await cluster.StartInstanceAsync(leader);
        await Eventually.TrueAsync(async () => (await cluster[leader].ServiceAsync("web")) is { Primary: "web-b", Routable: "web-b", Epoch: 2 }, "the restarted instance to catch up");
        await Eventually.TrueAsync(() => cluster[leader].IsReadyAsync(), "the restarted instance to route");
        using var http = new HttpClient();
        Assert.Equal("web-b", (await http.GetStringAsync($"http://127.0.0.1:{cluster.Ports[leader].Proxy}/")).Trim());
        var mine = await cluster[leader].EventsAsync("web");
        Assert.Equal(Describe(await cluster[followers[0]].EventsAsync("web")), Describe(mine));
    }

    [Fact]
    public async Task Cluster_SwitchoverAskedOfAFollower_ForwardedAndNoClientOfAnyProxyFails()
    {
        await using var cluster = await WebCluster.StartAsync(hold: "10s");
        Assert.Equal("ctl-a", await cluster.LeaderAsync());
        var clients = cluster.Names.ToDictionary(n => n, n => new RoutedClient(cluster.Ports[n].Proxy));
        try
        {
            await Task.Delay(300);
            using var body = new StringContent("""{"to":"web-b","reason":"patch web-a"}""", System.Text.Encoding.UTF8, "application/json");
            var asked = await cluster["ctl-c"].Http.PostAsync("/api/services/web/switchover", body);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, asked.StatusCode);
            await Eventually.TrueAsync(async () => (await Task.WhenAll(cluster.Names.Select(n => cluster[n].ServiceAsync("web"))))
                .All(s => s is { Routable: "web-b", Epoch: 2, Failover: null }), "every instance to route to web-b");
            await Task.Delay(300);
        }
        finally
        {
            foreach (var c in clients.Values) await c.StopAsync();
        }
        foreach (var (name, client) in clients)
        {
            Assert.All(client.Attempts, a => Assert.True(a.Ok, $"{name}: attempt at {a.Start:HH:mm:ss.fff} failed: {a.Error}"));
            Assert.Equal("web-b", client.Attempts[^1].AnsweredBy);
        }
        var events = await cluster["ctl-b"].EventsAsync("web");
        var fenced = events.Where(e => e.Type == EventTypes.MemberFenced).ToList();
        Assert.Equal(2, fenced.Count); // the drain's end (epoch 2), then every proxy fenced
        Assert.Contains("every instance routes by epoch 2", fenced[1].Details["reason"]?.ToString());
    }

    [Fact]
    public async Task Cluster_PrimaryCrashSeenOnlyByAFollowersProxy_TheLeaderConfirmsAtOnceNotAtItsNextChecks()
    {
        // Checks every 2 s, fall 3: without the follower's signal the leader would need 4 s or more.
        await using var cluster = await WebCluster.StartAsync(hold: "10s", check: "{ path: /health, interval: 2s, timeout: 500ms, fall: 3, rise: 1 }");
        Assert.Equal("ctl-a", await cluster.LeaderAsync());
        await using var viaB = new RoutedClient(cluster.Ports["ctl-b"].Proxy);
        await Task.Delay(300);

        var killedAt = DateTimeOffset.UtcNow;
        cluster.A.Dispose();
        await Eventually.TrueAsync(async () => (await cluster["ctl-a"].ServiceAsync("web")).Routable == "web-b", "web-b routable");

        var events = await cluster["ctl-a"].EventsAsync("web");
        var suspected = events.First(e => e.Type == EventTypes.MemberSuspected);
        Assert.Contains("the proxy of ctl-b could not connect", suspected.Details["reason"]?.ToString());
        var started = events.Single(e => e.Type == EventTypes.FailoverStarted);
        Assert.True(started.Time - killedAt < TimeSpan.FromSeconds(2.5), $"failover started {(started.Time - killedAt).TotalMilliseconds:0} ms after the kill");
        var attempts = await viaB.StopAsync();
        Assert.All(attempts.Where(a => a.Start > killedAt.AddMilliseconds(20)), a => Assert.True(a.Ok, $"attempt at +{(a.Start - killedAt).TotalMilliseconds:0} ms failed: {a.Error}"));
    }

    private static string Describe(IReadOnlyList<EventView> events) =>
        string.Join('\n', events.Select(e => $"{e.Id} {e.Type} {e.Epoch} {e.Member} {e.Details.GetValueOrDefault("reason")}"));
}
