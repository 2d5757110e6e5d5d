using Understudy.Coordination;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Cluster;

/// <summary>
/// A cluster's log in etcd as the loops commit to it. A decision's events are appended in one transaction that
/// holds only while this instance's leader key is the one in etcd and nobody appended at the next position
/// (<see cref="EtcdStore.AppendAsync"/>): a deposed leader's commit fails, so it never acts. What was committed is
/// mirrored by the <see cref="LogFollower"/> like everything else (an event's id follows from its revision, so every
/// journal numbers it alike): the local write is not on the way from decision to action.
/// Notes of this instance need no leader: they go under its own prefix.
/// </summary>
public sealed partial class SharedLog(EtcdStore store, LeaderElection election, SqliteJournal mirror, JournalFeed feed, string instance, ILogger<SharedLog> logger)
    : IServiceLog
{
    private readonly SemaphoreSlim _notes = new(1, 1);
    private long _noteSeq;

    /// <summary>Whether <see cref="_noteSeq"/> has been set past this instance's newest note in etcd (under <see cref="_notes"/>).</summary>
    private bool _seqFromEtcd;

    private static readonly TimeSpan MirrorWait = TimeSpan.FromSeconds(1);

    /// <summary>Set once the follower exists (it needs the loops, which need this log).</summary>
    public LogFollower? Follower { get; set; }

    /// <summary>Called when a commit's outcome is unknown: this instance steps down so a leader resumes from what the log says.</summary>
    public Func<string, Task>? StepDown { get; set; }

    /// <summary>Notes continue after the last one this instance wrote (read from the mirror at start).</summary>
    public void StartNotesAfter(long seq) => Interlocked.Exchange(ref _noteSeq, seq);

    public async Task<CommitResult> CommitAsync(string service, long position, IReadOnlyList<JournalEvent> events, CancellationToken ct)
    {
        if (election.Current is not { } term) return new CommitResult.Refused("this instance is not the leader", Deposed: true);
        long next = position + 1;
        AppendResult result;
        try
        {
            result = await store.AppendAsync(term, service, next, [.. events.Select(EventJson.Write)], ct);
        }
        catch (CoordinationUnavailable e)
        {
            // The append may or may not have happened. Acting on it could repeat or skip a step, so nothing acts, and
            // the next leader (this one, perhaps) reads what the log says and resumes from there.
            string why = $"etcd did not confirm the commit ({e.Message}); stepping down so that the log decides";
            if (StepDown is { } stepDown) await stepDown(why);
            return new CommitResult.Refused(why, Deposed: true);
        }
        switch (result)
        {
            case AppendResult.Committed c:
                return new CommitResult.Committed([.. events.Select((e, i) => e with { Id = new MirroredEvent(e, "", c.Revision, i).Id })], next + events.Count - 1);
            case AppendResult.NotLeader n:
                return new CommitResult.Refused($"this instance no longer leads (the leader key is {n.CurrentLeader ?? "gone"})", Deposed: true);
            case AppendResult.Conflict x:
                return new CommitResult.Refused($"the log of {service} already reaches {x.ExistingSeq}, past this instance's {position}", Deposed: false);
            default:
                throw new InvalidOperationException(result.GetType().Name);
        }
    }

    /// <summary>
    /// A note goes under this instance's own prefix, created only if absent (a note is never overwritten). With
    /// etcd unreachable it is kept in this instance's mirror alone, so nothing is lost.
    /// </summary>
    public async Task<JournalEvent> RecordAsync(JournalEvent informational, CancellationToken ct)
    {
        string json = EventJson.Write(informational);
        await _notes.WaitAsync(ct);
        try
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                if (!await SeqFromEtcdAsync(informational.Type, ct)) break;
                long seq = Interlocked.Increment(ref _noteSeq);
                string key = store.Keys.Note(instance, seq);
                CreateResult created;
                try { created = await store.TryCreateAsync(key, json, 0, ct); }
                catch (CoordinationUnavailable e)
                {
                    Log.NoteKeptLocally(logger, informational.Type, e.Message);
                    break;
                }
                if (created is CreateResult.Created c) return (await MirroredAsync([new MirroredEvent(informational, key, c.Revision)], ct))[0];
            }
        }
        finally { _notes.Release(); }
        IReadOnlyList<JournalEvent> local = await mirror.AppendAsync([informational], ct);
        feed.Publish(local);
        return local[0];
    }

    /// <summary>
    /// Once, before the first note: continues after this instance's newest note in etcd when its journal knows less (a
    /// journal lost and rebuilt, whose numbers would start again). A number is never used twice, also after the
    /// leader trimmed the older notes (it keeps each instance's newest): every mirror holds each note's key once.
    /// False when etcd cannot be read; the note is then kept locally.
    /// </summary>
    private async Task<bool> SeqFromEtcdAsync(string type, CancellationToken ct)
    {
        if (_seqFromEtcd) return true;
        string? last;
        try { last = await store.LastKeyAsync(store.Keys.InstanceNotes(instance), ct); }
        catch (CoordinationUnavailable e)
        {
            Log.NoteKeptLocally(logger, type, e.Message);
            return false;
        }
        if (EtcdKeys.SeqOf(last) is var seq && seq > Interlocked.Read(ref _noteSeq)) Interlocked.Exchange(ref _noteSeq, seq);
        _seqFromEtcd = true;
        return true;
    }

    public bool MayAct => election.Current is not null;

    /// <summary>Decisions are mirrored off the way to action; an operator's answer reads them back, so it waits for the mirror.</summary>
    public async Task ReadableAsync(IReadOnlyList<JournalEvent> stored, CancellationToken ct)
    {
        if (Follower is { } follower && stored.Count > 0) await follower.WaitForAsync(stored.Max(e => e.Id) / MirroredEvent.PerRevision, MirrorWait, ct);
    }

    /// <summary>A note as mirrored (the answer carries its id); mirrored here if the watch has not delivered it in time.</summary>
    private async Task<IReadOnlyList<JournalEvent>> MirroredAsync(IReadOnlyList<MirroredEvent> events, CancellationToken ct)
    {
        if (Follower is { } follower) await follower.WaitForAsync(events[^1].Revision, MirrorWait, ct);
        IReadOnlyList<Mirrored> stored = await mirror.MirrorAsync(events, ct);
        feed.Publish([.. stored.Where(m => m.Added).Select(m => m.Event)]);
        return [.. stored.Select(m => m.Event)];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "{Type} kept in this instance's journal only: etcd is unreachable ({Why})")]
        public static partial void NoteKeptLocally(ILogger logger, string type, string why);
    }
}
