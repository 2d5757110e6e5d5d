using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using Understudy.IntegrationTests.Fixtures;
using Understudy.Sites;

namespace Understudy.IntegrationTests.Sites;

/// <summary>
/// Three controllers on etcd, web-a in east and web-b in west: the leader dies while it runs a site failover, and the
/// next leader resumes it from the shared log; every instance answers for the operation from its own mirror.
/// </summary>
[Collection(RealProcesses.Name)]
public class SiteLeaderCrashTests
{
    [Fact]
    public async Task FailoverSite_LeaderKilledWhileItRuns_TheNextLeaderResumesItAndEveryInstanceSeesItCompleted()
    {
        // The veto hook takes its time, so the operation is under way when the leader is killed.
        await using var cluster = await WebCluster.StartAsync(failover: "{ mode: manual, cooldown: 0s }", twoSites: true,
            hooks: """{ veto: [ { exec: [sh, -c, "sleep 4"], timeout: 10s } ] }""",
            healthy: async c => (await c["ctl-a"].ServiceAsync("web")) is { Routable: "web-a" } s && s.Members.All(m => m.Health == "up"));
        Assert.Equal("ctl-a", await cluster.LeaderAsync());

        // Asked of a follower: forwarded to the leader, which runs it at once (no approvals).
        using HttpResponseMessage asked = await cluster["ctl-b"].Http.PostAsJsonAsync("/api/sites/east/failover", new SiteFailoverBody("region drill"), ApiJson.Options);
        Assert.True(asked.StatusCode == HttpStatusCode.Accepted, await asked.Content.ReadAsStringAsync());
        string id = (await asked.Content.ReadFromJsonAsync<SiteOperationView>(ApiJson.Options))!.Id;
        await Eventually.TrueAsync(async () => (await cluster["ctl-b"].EventsAsync("web", EventTypes.SiteStarted)).Count == 1, "site.started in ctl-b's mirror");
        await cluster.KillAsync("ctl-a");

        string next = await cluster.LeaderAsync(WebCluster.LeaseTime + TimeSpan.FromSeconds(5));
        try { await Eventually.TrueAsync(async () => (await OperationAsync(cluster[next], id)).State == SiteStates.Completed, "the next leader to complete it", TimeSpan.FromSeconds(60)); }
        catch (TimeoutException e)
        {
            // What the next leader did instead, so that a failure in CI can be read without a rerun.
            var events = (await cluster[next].EventsAsync("web")).Select(v => $"{v.Time:HH:mm:ss.fff} {v.Type} {(v.Details.TryGetValue("reason", out object? r) ? r : "")}");
            throw new TimeoutException($"{e.Message}; operation: {JsonSerializer.Serialize(await OperationAsync(cluster[next], id), ApiJson.Options)}\nweb's journal:\n{string.Join('\n', events)}", e);
        }

        EventView resumed = Assert.Single(await cluster[next].EventsAsync("web", EventTypes.SiteResumed));
        Assert.Contains($"resumed site failover {id} of east as the new leader ({next}): nothing moved yet; waits for web's request", Text(resumed, "reason"));
        Assert.Single(await cluster[next].EventsAsync("web", EventTypes.SwitchoverCompleted));
        foreach (string instance in cluster.Running)
        {
            await Eventually.TrueAsync(async () => (await OperationAsync(cluster[instance], id)).State == SiteStates.Completed, $"{instance} to see it completed");
            Assert.Equal("web-b", (await cluster[instance].ServiceAsync("web")).Routable);
        }
    }

    private static async Task<SiteOperationView> OperationAsync(ControllerProcess controller, string id) =>
        (await controller.Http.GetFromJsonAsync<SiteOperationView>($"/api/sites/operations/{id}", ApiJson.Options))!;

    private static string Text(EventView e, string key) => ((JsonElement)e.Details[key]!).GetString()!;
}
