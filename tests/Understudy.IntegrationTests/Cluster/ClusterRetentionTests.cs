using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Understudy.Coordination;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>The shared log is trimmed to the newest snapshot every instance has read; an instance that joins later folds from it.</summary>
[Collection(RealProcesses.Name)]
public class ClusterRetentionTests
{
    private static readonly IReadOnlyDictionary<string, string> Often = new Dictionary<string, string>
    {
        ["UNDERSTUDY_SNAPSHOT_EVERY"] = "4",
        ["UNDERSTUDY_COMPACT_EVERY"] = "1",
    };

    [Fact]
    public async Task Log_TrimmedToASnapshot_AnInstanceWithAnEmptyJournalCatchesUpToTheSameState()
    {
        await using var cluster = await WebCluster.StartAsync(environment: new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["ctl-a"] = Often, ["ctl-b"] = Often, ["ctl-c"] = Often,
        });
        // A dozen decisions through a follower (forwarded to the leader), ending paused.
        for (int i = 0; i < 6; i++)
        {
            Assert.True((await Post(cluster["ctl-b"], "/api/services/web/pause", $$"""{"reason":"round {{i}}"}""")).IsSuccessStatusCode);
            if (i < 5) Assert.True((await Post(cluster["ctl-b"], "/api/services/web/resume", "{}")).IsSuccessStatusCode);
        }
        var events = await cluster["ctl-a"].EventsAsync("web");
        Assert.Contains(events, e => e.Type == EventTypes.Snapshot);

        // etcd keeps the log from a snapshot on, once every instance has read that far.
        await using var store = new EtcdStore(new CoordinationSpec([new Uri(cluster.Etcd.Url)], "shop", TimeSpan.FromSeconds(2), null, null, null),
            TimeProvider.System, NullLogger<EtcdStore>.Instance);
        await Eventually.TrueAsync(async () => (await store.RangeAsync(store.Keys.ServiceLog("web"), CancellationToken.None)).Entries.Length < events.Count,
            "the log to be trimmed");
        EtcdRange kept = await store.RangeAsync(store.Keys.ServiceLog("web"), CancellationToken.None);
        Assert.Equal(EventTypes.Snapshot, Understudy.Journal.EventJson.Read(kept.Entries[0].Value).Type);

        // ctl-c loses its journal and starts again: it folds from that snapshot and ends where the others are.
        await cluster["ctl-c"].StopAsync();
        foreach (string file in Directory.GetFiles(cluster.Dir.Path, "ctl-c.db*")) File.Delete(file);
        await cluster.StartInstanceAsync("ctl-c", Often);
        await cluster.AgreeAsync();
        var expected = await cluster["ctl-a"].ServiceAsync("web");
        await Eventually.TrueAsync(async () => (await cluster["ctl-c"].ServiceAsync("web")) is var s
            && (s.Epoch, s.Primary, s.Routable, s.Paused?.Reason) == (expected.Epoch, expected.Primary, expected.Routable, "round 5"), "ctl-c to fold to the same state");
        // Its journal starts at the snapshot, and from there it is the others' event for event, with the same ids.
        await Eventually.TrueAsync(async () =>
        {
            var mine = await cluster["ctl-c"].EventsAsync("web");
            var theirs = (await cluster["ctl-a"].EventsAsync("web")).Where(e => e.Id >= mine[0].Id);
            return mine[0].Type == EventTypes.Snapshot && mine.Select(e => (e.Id, e.Type)).SequenceEqual(theirs.Select(e => (e.Id, e.Type)));
        }, "ctl-c's journal to match the others' from the snapshot on");
    }

    private static Task<HttpResponseMessage> Post(ControllerProcess to, string path, string json) =>
        to.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
