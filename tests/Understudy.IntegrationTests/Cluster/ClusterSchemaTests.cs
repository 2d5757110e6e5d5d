using Microsoft.Extensions.Logging.Abstractions;
using Understudy.Coordination;
using Understudy.Core.Topology;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>A record of a newer schema in the log (an upgraded instance wrote it): older instances stop leading, keep routing.</summary>
[Collection(RealProcesses.Name)]
public class ClusterSchemaTests
{
    [Fact]
    public async Task Log_RecordOfANewerSchema_NoOlderInstanceLeadsAndEveryOneKeepsRouting()
    {
        await using var cluster = await WebCluster.StartAsync(instances: 2);
        await using var store = new EtcdStore(new CoordinationSpec([new Uri(cluster.Etcd.Url)], "shop", TimeSpan.FromSeconds(2), null, null, null),
            TimeProvider.System, NullLogger<EtcdStore>.Instance);
        string log = store.Keys.ServiceLog("web");
        string last = (await store.RangeAsync(log, CancellationToken.None)).Entries[^1].Key;
        long next = long.Parse(last[log.Length..], System.Globalization.CultureInfo.InvariantCulture) + 1;

        await store.PutAsync(store.Keys.LogKey("web", next),
            """{"v":2,"type":"quorum.lost","time":"2026-12-04T12:00:00Z","service":"web","epoch":1,"actor":"controller","reason":"from a newer Understudy"}""", 0, CancellationToken.None);

        await Eventually.TrueAsync(async () => (await Task.WhenAll(cluster.Names.Select(n => cluster[n].TryClusterAsync())))
            .All(v => v is { Leader: null, Problem: { } p } && p.Contains("schema 2", StringComparison.Ordinal)), "every instance to refuse to lead, saying why");
        foreach (string n in cluster.Names) Assert.True(await cluster[n].IsReadyAsync(), $"{n} stopped routing");
        var kept = await cluster["ctl-b"].EventsAsync("web");
        Assert.Contains(kept, e => e.Type == "quorum.lost" && e.Details["reason"]?.ToString() == "from a newer Understudy");
    }
}
