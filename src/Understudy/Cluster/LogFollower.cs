using System.Globalization;
using Understudy.Coordination;
using Understudy.Core.Journal;
using Understudy.Failover;
using Understudy.Journal;

namespace Understudy.Cluster;

/// <summary>
/// Every instance reads the shared log as it grows: each new entry is mirrored into the local SQLite journal (so
/// the API, dashboard, metrics and incidents read the same history on any instance) and every service's
/// committed events are folded by its loop, so each instance's proxies follow the same epochs. It watches the
/// whole cluster prefix, so the revision it has read up to also covers a leader key created after the log entries
/// it succeeds: a new leader waits for that before it decides.
/// </summary>
public sealed partial class LogFollower(EtcdStore store, SqliteJournal mirror, JournalFeed feed, IReadOnlyDictionary<string, ServiceLoop> loops,
    TimeProvider time, ILogger<LogFollower> logger)
{
    private long _revision;
    private long _logRevision;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The last etcd revision handled (of any key under the cluster's prefix).</summary>
    public long Revision => Interlocked.Read(ref _revision);

    /// <summary>The revision of the newest log entry or note mirrored: how far this instance has read the log (what it reports).</summary>
    public long LogRevision => Interlocked.Read(ref _logRevision);

    /// <summary>The log has been read once since the start (this instance's epochs are the cluster's, as of then).</summary>
    public bool CaughtUp { get; private set; }

    /// <summary>A record written by a newer Understudy has been read: this instance must not lead.</summary>
    public string? NewerSchema { get; private set; }

    /// <summary>Starts after what the mirror already holds.</summary>
    public async Task StartAfterMirrorAsync(CancellationToken ct)
    {
        long mirrored = await mirror.MirroredRevisionAsync(ct);
        Interlocked.Exchange(ref _revision, mirrored);
        Interlocked.Exchange(ref _logRevision, mirrored);
    }

    /// <summary>Reads what the log holds beyond the mirror (an instance that was away catches up), then watches until stopped.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(ct);
                // Returns only when etcd no longer holds the history after Revision: read the log as it is, again.
                await store.WatchAsync(store.Keys.Root, Revision + 1, changes =>
                {
                    foreach (EtcdChange c in changes.Where(c => c.Entry.Key.StartsWith(store.Keys.Views, StringComparison.Ordinal))) ViewChanged?.Invoke(c);
                    return HandleAsync([.. changes.Where(c => !c.Deleted).Select(c => c.Entry)]);
                }, ct);
            }
            catch (CoordinationUnavailable e)
            {
                Log.CatchUpFailed(logger, e.Message);
                await Task.Delay(store.CallTimeout, time, ct);
            }
        }
    }

    /// <summary>How many decisions this instance has mirrored past <paramref name="revision"/> (another instance's progress).</summary>
    public Task<long> CountBehindAsync(long revision, CancellationToken ct) => mirror.CountLogAfterAsync(revision, ct);

    /// <summary>Waits until everything up to <paramref name="revision"/> is handled, or <paramref name="within"/> passes (false).</summary>
    public async Task<bool> WaitForAsync(long revision, TimeSpan within, CancellationToken ct)
    {
        long deadline = time.GetTimestamp() + (long)(within.TotalSeconds * time.TimestampFrequency);
        while (Revision < revision)
        {
            TimeSpan left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero) return false;
            try { await Volatile.Read(ref _advanced).Task.WaitAsync(left, time, ct); }
            catch (TimeoutException) { return false; }
        }
        return true;
    }

    private async Task CatchUpAsync(CancellationToken ct)
    {
        EtcdRange log = await store.RangeAsync(store.Keys.Log, ct);
        EtcdRange notes = await store.RangeAsync(store.Keys.Notes, ct);
        long after = Revision;
        // In revision order, as the watch would have handed them over; keys order entries of one transaction.
        var missed = log.Entries.Concat(notes.Entries).Where(e => e.ModRevision > after)
            .OrderBy(e => e.ModRevision).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();
        await HandleAsync(missed);
        Advance(Math.Min(log.Revision, notes.Revision));
        CaughtUp = true;
    }

    private async Task HandleAsync(IReadOnlyList<EtcdEntry> entries)
    {
        var batch = new List<MirroredEvent>();
        int index = 0;
        long revision = 0;
        foreach (EtcdEntry e in entries)
        {
            if (e.Key.StartsWith(store.Keys.Suspects, StringComparison.Ordinal)) Suspected(e);
            if (!e.Key.StartsWith(store.Keys.Log, StringComparison.Ordinal) && !e.Key.StartsWith(store.Keys.Notes, StringComparison.Ordinal)) continue;
            JournalEvent parsed = Parse(e);
            if (parsed is UnknownEvent u && NewerSchema is null)
            {
                NewerSchema = $"the log holds a {u.Type} record of schema {u.Version} (this version reads {JournalEvent.SchemaVersion}): upgrade this instance";
                Log.NewerSchema(logger, NewerSchema);
            }
            index = e.ModRevision == revision ? index + 1 : 0;
            revision = e.ModRevision;
            batch.Add(new MirroredEvent(parsed with { Id = 0 }, e.Key, e.ModRevision, index));
        }
        if (batch.Count > 0)
        {
            // Proxies first: folding changes routes; the local copy (a disk sync) can follow.
            Dispatch(batch);
            IReadOnlyList<Mirrored> stored = await mirror.MirrorAsync(batch);
            feed.Publish([.. stored.Where(m => m.Added).Select(m => m.Event)]);
            Interlocked.Exchange(ref _logRevision, Math.Max(LogRevision, batch[^1].Revision));
        }
        if (entries.Count > 0) Advance(entries.Max(e => e.ModRevision));
    }

    /// <summary>Told of every change (deletes too) under the views prefix: what each instance's checks say of the members.</summary>
    public Action<EtcdChange>? ViewChanged { get; init; }

    /// <summary>The instance whose name is in these keys; its own suspicions are already its loops' inputs.</summary>
    public string Instance { get; init; } = "";

    /// <summary>
    /// Another instance's proxy could not connect to a member: a passive signal here too, so confirming checks start
    /// at once on every instance (the leader's decide). Like any passive signal it never completes a fall by itself.
    /// </summary>
    private void Suspected(EtcdEntry e)
    {
        string[] parts = e.Key[store.Keys.Suspects.Length..].Split('/');
        if (parts is not [var service, var member, var by] || by == Instance || !loops.TryGetValue(service, out ServiceLoop? loop)) return;
        loop.Post(new Core.Failover.CheckObserved(Core.Detection.CheckResult.ConnectFailed(member, time.GetUtcNow(), $"the proxy of {by} could not connect ({e.Value})")));
    }

    /// <summary>One fold per service and transaction (a decision's events share a revision), in order.</summary>
    private void Dispatch(List<MirroredEvent> batch)
    {
        var groups = batch.Select(m => (m, Event: m.Event with { Id = m.Id }))
            .Where(x => x.m.Source.StartsWith(store.Keys.Log, StringComparison.Ordinal))
            .GroupBy(x => (x.Event.Service, x.m.Revision));
        foreach (var group in groups)
        {
            if (!loops.TryGetValue(group.Key.Service, out ServiceLoop? loop)) continue; // a service this config lacks
            string last = group.Last().m.Source;
            long seq = long.Parse(last[(last.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
            loop.Fold([.. group.Select(x => x.Event)], seq);
        }
    }

    private JournalEvent Parse(EtcdEntry e)
    {
        try { return EventJson.Read(e.Value); }
        catch (Exception x) when (x is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // Never drop an entry: keep it whole as an unknown record, so the mirror still holds everything.
            Log.Unreadable(logger, e.Key, x.Message);
            return new UnknownEvent("unreadable", 0, e.Value) { Reason = $"{e.Key} could not be read: {x.Message}" };
        }
    }

    private void Advance(long revision)
    {
        long seen;
        do
        {
            seen = Revision;
            if (revision <= seen) return;
        } while (Interlocked.CompareExchange(ref _revision, revision, seen) != seen);
        Interlocked.Exchange(ref _advanced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "reading the shared log failed ({Why}); trying again")]
        public static partial void CatchUpFailed(ILogger logger, string why);

        [LoggerMessage(EventId = 611, Level = LogLevel.Critical, Message = "{Why}; this instance will not lead")]
        public static partial void NewerSchema(ILogger logger, string why);

        [LoggerMessage(EventId = 612, Level = LogLevel.Error, Message = "log entry {Key} could not be read ({Why}); kept as it is")]
        public static partial void Unreadable(ILogger logger, string key, string why);
    }
}
