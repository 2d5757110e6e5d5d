using Understudy.Coordination;
using Understudy.Failover;

namespace Understudy.Cluster;

/// <summary>The leader's compaction: what the cluster keeps in etcd stays bounded (each service's log, every instance's notes).</summary>
public sealed partial class ClusterNode
{
    /// <summary>
    /// The leader trims each service's log to the newest snapshot that every live instance has mirrored: an instance
    /// that joins later folds from that snapshot. An instance that has not reported how far it read holds the log back.
    /// Then the notes older than every log's kept snapshot (<see cref="TrimNotesAsync"/>).
    /// </summary>
    private async Task CompactAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Failover.SnapshotPolicy.CompactEvery, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            Registry r = _registry;
            if (!IsLeader || r.Instances.Count == 0) continue;
            long upTo = r.Instances.Min(i => r.Mirrored.GetValueOrDefault(i.Name));
            long oldestKept = long.MaxValue;
            foreach (ServiceRuntime s in services)
            {
                string log = store.Keys.ServiceLog(s.Spec.Name);
                var snapshot = (await mirror.SnapshotsAsync(log, ct)).FirstOrDefault(x => x.Revision <= upTo);
                if (snapshot.Source is null)
                {
                    oldestKept = 0; // this log is kept whole, and so are the notes
                    continue;
                }
                try
                {
                    long removed = await store.DeletePrefixAsync(log, ct, before: snapshot.Source);
                    if (removed > 0) Log.Compacted(logger, s.Spec.Name, removed, snapshot.Source);
                    oldestKept = Math.Min(oldestKept, snapshot.Revision);
                }
                catch (CoordinationUnavailable e)
                {
                    Log.CompactFailed(logger, s.Spec.Name, e.Message);
                    oldestKept = 0;
                }
            }
            if (oldestKept is > 0 and < long.MaxValue) await TrimNotesAsync(oldestKept, ct);
        }
    }

    /// <summary>
    /// Deletes the notes written before <paramref name="revision"/> (the oldest snapshot a log keeps, which every live
    /// instance has mirrored) and longer ago than <see cref="Failover.SnapshotPolicy.NotesKeptFor"/>, so that an
    /// instance's notes do not grow in etcd for as long as the cluster runs: one that joins later holds the notes as it
    /// holds the logs, from that point on. Each instance's newest such note stays (its numbers continue after it).
    /// </summary>
    private async Task TrimNotesAsync(long revision, CancellationToken ct)
    {
        DateTimeOffset writtenBefore = time.GetUtcNow() - Failover.SnapshotPolicy.NotesKeptFor;
        foreach (var (prefix, newest) in await mirror.NewestNotesBeforeAsync(store.Keys.Notes, revision, writtenBefore, ct))
        {
            try
            {
                long removed = await store.DeletePrefixAsync(prefix, ct, before: newest);
                if (removed > 0) Log.NotesTrimmed(logger, removed, prefix, newest);
            }
            catch (CoordinationUnavailable e) { Log.NotesTrimFailed(logger, prefix, e.Message); }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 644, Level = LogLevel.Information, Message = "{Service}: {Removed} log entries before {Snapshot} removed from etcd (every instance has read past that snapshot)")]
        public static partial void Compacted(ILogger logger, string service, long removed, string snapshot);

        [LoggerMessage(EventId = 645, Level = LogLevel.Warning, Message = "{Service}: trimming the log failed ({Why}); it is tried again later")]
        public static partial void CompactFailed(ILogger logger, string service, string why);

        [LoggerMessage(EventId = 647, Level = LogLevel.Information, Message = "{Removed} notes under {Prefix} before {Newest} removed from etcd (older than every log's kept snapshot, and than a day)")]
        public static partial void NotesTrimmed(ILogger logger, long removed, string prefix, string newest);

        [LoggerMessage(EventId = 648, Level = LogLevel.Warning, Message = "trimming the notes under {Prefix} failed ({Why}); it is tried again later")]
        public static partial void NotesTrimFailed(ILogger logger, string prefix, string why);
    }
}
