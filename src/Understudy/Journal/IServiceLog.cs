using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// Where a service's decisions are committed: the SQLite journal of a single controller, or the shared log of
/// a cluster. A decision is real once committed, and nothing acts on one that was not.
/// </summary>
public interface IServiceLog
{
    /// <summary>
    /// Commits one decision's events right after <paramref name="position"/>, the last position of this service's
    /// log the caller has folded; returns them as stored (with journal ids) and the new position, or why not.
    /// </summary>
    Task<CommitResult> CommitAsync(string service, long position, IReadOnlyList<JournalEvent> events, CancellationToken ct);

    /// <summary>
    /// Records what changes no decision (a fault injected here, a delivery): it needs no leader, so any instance
    /// records its own; returns it as stored.
    /// </summary>
    Task<JournalEvent> RecordAsync(JournalEvent informational, CancellationToken ct);

    /// <summary>
    /// Whether a committed decision may still be acted on now: with several controllers, only while this instance's
    /// lease is surely alive, so a leader never acts after its lease could have run out (the next leader resumes).
    /// </summary>
    bool MayAct { get; }

    /// <summary>Returns once <paramref name="stored"/> can be read back from this instance's journal (an API answers from it).</summary>
    Task ReadableAsync(IReadOnlyList<JournalEvent> stored, CancellationToken ct);
}

public abstract record CommitResult
{
    /// <summary>Durable: the caller may act on it.</summary>
    public sealed record Committed(IReadOnlyList<JournalEvent> Stored, long Position) : CommitResult;

    /// <summary>Not committed: this instance is not (or no longer) the leader, or the log moved on past <c>position</c>.</summary>
    public sealed record Refused(string Why, bool Deposed) : CommitResult;
}

/// <summary>A single controller's log: its SQLite journal, which retries until a write succeeds.</summary>
public sealed class JournalServiceLog(IJournal journal) : IServiceLog
{
    public async Task<CommitResult> CommitAsync(string service, long position, IReadOnlyList<JournalEvent> events, CancellationToken ct)
    {
        IReadOnlyList<JournalEvent> stored = await journal.AppendAsync(events, ct);
        return new CommitResult.Committed(stored, stored.Count == 0 ? position : stored[^1].Id);
    }

    public async Task<JournalEvent> RecordAsync(JournalEvent informational, CancellationToken ct) =>
        (await journal.AppendAsync([informational], ct))[0];

    public bool MayAct => true;

    /// <summary>Appended is readable: the journal is the log.</summary>
    public Task ReadableAsync(IReadOnlyList<JournalEvent> stored, CancellationToken ct) => Task.CompletedTask;
}
