using System.Text;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>Many eyes on a real etcd: three instances, a primary failed over only when a quorum of them sees it down.</summary>
[Collection(RealProcesses.Name)]
public class ManyEyesTests
{
    [Theory]
    [InlineData("ctl-a")] // the leader itself: alone it would have failed a healthy primary over
    [InlineData("ctl-c")]
    public async Task Blackhole_OneInstanceCannotReachThePrimary_NoFailover_TheJournalNamesThatInstance(string cut)
    {
        await using var cluster = await WebCluster.StartAsync();
        Assert.Equal("ctl-a", await cluster.LeaderAsync());

        // One instance's own network toward web-a is cut (a fault through its API stays local to it: it models its network).
        using var body = new StringContent("""{"kind":"blackhole","duration":"10s"}""", Encoding.UTF8, "application/json");
        var injected = await cluster[cut].Http.PostAsync("/api/services/web/members/web-a/faults", body);
        Assert.True(injected.IsSuccessStatusCode, await injected.Content.ReadAsStringAsync());

        var unreachable = await Eventually.GetAsync(async () =>
            (await cluster["ctl-a"].EventsAsync("web", EventTypes.MemberUnreachableFrom)).FirstOrDefault(), "member.unreachable_from on the leader");
        Assert.Equal("web-a", unreachable.Member);
        Assert.Equal($"""["{cut}"]""", System.Text.Json.JsonSerializer.Serialize(unreachable.Details["instances"]));
        var alerts = await cluster["ctl-a"].EventsAsync("web", EventTypes.AlertRaised);
        Assert.Contains(alerts, a => a.Details["reason"]?.ToString()?.Contains($"the network of {cut} is suspect") == true);

        // By then it has seen web-a down for a whole fall: nothing was failed over, every instance still routes to web-a.
        foreach (string name in cluster.Names)
        {
            var web = await cluster[name].ServiceAsync("web");
            Assert.Equal(("web-a", 1L), (web.Primary, web.Epoch));
        }
        Assert.Empty(await cluster["ctl-a"].EventsAsync("web", EventTypes.FailoverStarted));
        using var http = new HttpClient();
        Assert.Equal("web-a", (await http.GetStringAsync($"http://127.0.0.1:{cluster.Ports["ctl-b"].Proxy}/")).Trim());
    }

    [Fact]
    public async Task Crash_PrimaryKilledWithThreeInstances_EveryProxyOnTheStandbyWithinFallTimesTimeout()
    {
        // Checks every 2 s, fall 3: at each instance's own pace a quorum would take 6 s; confirming together, fall × timeout.
        const int fall = 3;
        var timeout = TimeSpan.FromMilliseconds(500);
        await using var cluster = await WebCluster.StartAsync(hold: "10s", check: $"{{ path: /health, interval: 2s, timeout: 500ms, fall: {fall}, rise: 1 }}");
        Assert.Equal("ctl-a", await cluster.LeaderAsync());
        var clients = cluster.Names.ToDictionary(n => n, n => new RoutedClient(cluster.Ports[n].Proxy));
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(clients.Values.All(c => c.Attempts.Any(a => a.Ok))), "every proxy to serve");
            var killedAt = DateTimeOffset.UtcNow;
            cluster.A.Dispose();
            await Eventually.TrueAsync(() => Task.FromResult(clients.Values.All(c => c.Attempts.Any(a => a.Start > killedAt && a.AnsweredBy == "web-b"))),
                "every proxy to serve web-b");

            var bound = fall * timeout + TimeSpan.FromMilliseconds(300);
            foreach (var (name, client) in clients)
            {
                var attempts = await client.StopAsync();
                var first = attempts.Where(a => a.Start > killedAt && a.AnsweredBy == "web-b").Min(a => a.End);
                Assert.True(first - killedAt <= bound, $"{name}'s proxy first served web-b {(first - killedAt).TotalMilliseconds:0} ms after the kill (bound {bound.TotalMilliseconds:0} ms)");
                Assert.All(attempts.Where(a => a.Start > killedAt.AddMilliseconds(20)), a => Assert.True(a.Ok, $"{name}: attempt at +{(a.Start - killedAt).TotalMilliseconds:0} ms failed: {a.Error}"));
            }
        }
        finally
        {
            foreach (var c in clients.Values) await c.DisposeAsync();
        }
        var started = Assert.Single(await cluster["ctl-a"].EventsAsync("web", EventTypes.FailoverStarted));
        Assert.Equal("web-b", started.Member);
    }
}
