using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Understudy.Coordination;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>
/// The shared log is trimmed to the newest snapshot every instance has read, and the notes to the oldest snapshot kept
/// (each instance's newest stays); an instance that joins later folds from the snapshot and holds the notes from there.
/// </summary>
[Collection(RealProcesses.Name)]
public class ClusterRetentionTests
{
    private static readonly IReadOnlyDictionary<string, string> Often = new Dictionary<string, string>
    {
        ["UNDERSTUDY_SNAPSHOT_EVERY"] = "4",
        ["UNDERSTUDY_COMPACT_EVERY"] = "1",
        ["UNDERSTUDY_NOTES_KEPT"] = "1",
    };

    [Fact]
    public async Task Log_TrimmedToASnapshot_AnInstanceWithAnEmptyJournalCatchesUpToTheSameState()
    {
        await using var cluster = await WebCluster.StartAsync(environment: new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["ctl-a"] = Often, ["ctl-b"] = Often, ["ctl-c"] = Often,
        });
        await using var store = new EtcdStore(new CoordinationSpec([new Uri(cluster.Etcd.Url)], "shop", TimeSpan.FromSeconds(2), null, null, null),
            TimeProvider.System, NullLogger<EtcdStore>.Instance);
        // Two notes of ctl-b's before any of the decisions: faults injected through it (harmless ones, on the standby).
        for (int i = 0; i < 2; i++)
            Assert.True((await Post(cluster["ctl-b"], "/api/services/web/members/web-b/faults", LatencyFault)).IsSuccessStatusCode);
        EtcdEntry[] faults = [.. (await store.RangeAsync(store.Keys.InstanceNotes("ctl-b"), CancellationToken.None)).Entries
            .Where(e => Understudy.Journal.EventJson.Read(e.Value).Type == EventTypes.FaultInjected)];
        Assert.Equal(2, faults.Length);

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
        await Eventually.TrueAsync(async () => (await store.RangeAsync(store.Keys.ServiceLog("web"), CancellationToken.None)).Entries is [var first, ..]
            && Understudy.Journal.EventJson.Read(first.Value).Type == EventTypes.Snapshot && first.ModRevision > faults[1].ModRevision,
            "the log to be trimmed to a snapshot after the notes");
        // The notes before that snapshot go too, all but ctl-b's newest: its first fault's note is gone, its newest stays
        // (the second fault's, or a controller.stalled after it on a loaded host).
        await Eventually.TrueAsync(async () => await store.GetAsync(faults[0].Key, CancellationToken.None) is null, "ctl-b's older note to be trimmed");
        Assert.NotNull(await store.LastKeyAsync(store.Keys.InstanceNotes("ctl-b"), CancellationToken.None));

        // Three notes of ctl-c's (more than a note's three tries at a taken number), then ctl-c loses its journal and
        // starts again: it folds from that snapshot and ends where the others are.
        for (int i = 0; i < 3; i++)
            Assert.True((await Post(cluster["ctl-c"], "/api/services/web/members/web-b/faults", LatencyFault)).IsSuccessStatusCode);
        await cluster["ctl-c"].StopAsync();
        string? lastBefore = await store.LastKeyAsync(store.Keys.InstanceNotes("ctl-c"), CancellationToken.None);
        Assert.NotNull(lastBefore);
        foreach (string file in Directory.GetFiles(cluster.Dir.Path, "ctl-c.db*")) File.Delete(file);
        await cluster.StartInstanceAsync("ctl-c", Often);
        await cluster.AgreeAsync();
        // Compared with ctl-a's state of the moment: on a loaded host its checks may still change it.
        await Eventually.TrueAsync(async () => (await cluster["ctl-c"].ServiceAsync("web"), await cluster["ctl-a"].ServiceAsync("web")) is var (c, a)
            && (c.Epoch, c.Primary, c.Routable, c.Paused?.Reason) == (a.Epoch, a.Primary, a.Routable, "round 5") && a.Paused?.Reason == "round 5",
            "ctl-c to fold to the same state");
        // Its journal is the others' from the snapshot on: the same events with the same ids. Before it, only the notes
        // etcd kept: not ctl-b's first fault (ctl-a, which saw it written, keeps it).
        await Eventually.TrueAsync(async () =>
        {
            var mine = await cluster["ctl-c"].EventsAsync("web");
            var theirs = await cluster["ctl-a"].EventsAsync("web");
            var faultIds = theirs.Where(e => e.Type == EventTypes.FaultInjected).Select(e => e.Id).Take(2).ToList(); // ctl-b's
            return mine.FirstOrDefault(e => e.Type == EventTypes.Snapshot) is { } from
                && mine.Where(e => e.Id >= from.Id).Select(e => (e.Id, e.Type)).SequenceEqual(theirs.Where(e => e.Id >= from.Id).Select(e => (e.Id, e.Type)))
                && mine.Where(e => e.Id < from.Id).All(e => Notes.Contains(e.Type))
                && faultIds is [var older, _] && mine.All(e => e.Id != older);
        }, "ctl-c's journal to match the others' from the snapshot on, with the notes etcd kept");

        // Its next note goes to etcd after its newest one there, not to a number its lost journal had used: every
        // instance holds it (a number used twice would be taken for the old note, or kept by ctl-c alone).
        Assert.True((await Post(cluster["ctl-c"], "/api/services/web/members/web-b/faults", LatencyFault)).IsSuccessStatusCode);
        string? lastAfter = await store.LastKeyAsync(store.Keys.InstanceNotes("ctl-c"), CancellationToken.None);
        Assert.True(string.CompareOrdinal(lastAfter, lastBefore) > 0, $"{lastAfter} after {lastBefore}");
        await Eventually.TrueAsync(async () => (await cluster["ctl-a"].EventsAsync("web", EventTypes.FaultInjected)).Count == 6, "ctl-c's new note on ctl-a");
    }

    private const string LatencyFault = """{"kind":"latency","latency_ms":1,"duration":"1s"}""";

    /// <summary>What instances journal beside the log in this test (<see cref="EventTypes.ControllerStalled"/> only on a loaded host).</summary>
    private static readonly string[] Notes = [EventTypes.ControllerStalled, EventTypes.ControllerStopped, EventTypes.FaultInjected];

    private static Task<HttpResponseMessage> Post(ControllerProcess to, string path, string json) =>
        to.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
