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
        // Every journal, the leader's too, is written from the watch: a snapshot shows there a moment after it is committed.
        await Eventually.TrueAsync(async () => (await cluster["ctl-a"].EventsAsync("web")).Any(e => e.Type == EventTypes.Snapshot), "a snapshot in ctl-a's journal");

        // etcd keeps the log from a snapshot on, once every instance has read that far. Judged by the log alone: a
        // journal also holds notes, which are not in it (a loaded host's controller.stalled made one longer than the untrimmed log).
        await using var store = new EtcdStore(new CoordinationSpec([new Uri(cluster.Etcd.Url)], "shop", TimeSpan.FromSeconds(2), null, null, null),
            TimeProvider.System, NullLogger<EtcdStore>.Instance);
        await Eventually.TrueAsync(async () => (await store.RangeAsync(store.Keys.ServiceLog("web"), CancellationToken.None)).Entries is [var first, ..]
            && Understudy.Journal.EventJson.Read(first.Value).Type == EventTypes.Snapshot, "the log to be trimmed to a snapshot");

        // ctl-c loses its journal and starts again: it folds from that snapshot and ends where the others are.
        await cluster["ctl-c"].StopAsync();
        foreach (string file in Directory.GetFiles(cluster.Dir.Path, "ctl-c.db*")) File.Delete(file);
        await cluster.StartInstanceAsync("ctl-c", Often);
        await cluster.AgreeAsync();
        // Compared with ctl-a's state of the moment: on a loaded host its checks may still change it.
        await Eventually.TrueAsync(async () => (await cluster["ctl-c"].ServiceAsync("web"), await cluster["ctl-a"].ServiceAsync("web")) is var (c, a)
            && (c.Epoch, c.Primary, c.Routable, c.Paused?.Reason) == (a.Epoch, a.Primary, a.Routable, "round 5") && a.Paused?.Reason == "round 5",
            "ctl-c to fold to the same state");
        // Its journal is the others' less the decisions before the snapshot: the same events with the same ids. Notes,
        // which are not trimmed, it holds from before the snapshot too.
        await Eventually.TrueAsync(async () =>
        {
            var mine = await cluster["ctl-c"].EventsAsync("web");
            var theirs = await cluster["ctl-a"].EventsAsync("web");
            return mine.FirstOrDefault(e => e.Type == EventTypes.Snapshot) is { } from
                && mine.Select(e => (e.Id, e.Type)).SequenceEqual(theirs.Where(e => e.Id >= from.Id || Notes.Contains(e.Type)).Select(e => (e.Id, e.Type)));
        }, "ctl-c's journal to match the others' from the snapshot on");
    }

    /// <summary>What instances journal beside the log in this test (<see cref="EventTypes.ControllerStalled"/> only on a loaded host).</summary>
    private static readonly string[] Notes = [EventTypes.ControllerStalled, EventTypes.ControllerStopped];

    private static Task<HttpResponseMessage> Post(ControllerProcess to, string path, string json) =>
        to.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
