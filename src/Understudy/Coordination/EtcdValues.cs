using System.Collections.Immutable;

namespace Understudy.Coordination;

/// <summary>A lease as etcd granted it: the TTL may be longer than asked for (etcd 3.4 grants at least 2 s).</summary>
public sealed record EtcdLease(long Id, TimeSpan GrantedTtl);

/// <summary>One key as read. <see cref="Lease"/> is 0 for a key without a lease.</summary>
public sealed record EtcdEntry(string Key, string Value, long CreateRevision, long ModRevision, long Lease);

/// <summary>Entries under a prefix, sorted by key, as of <see cref="Revision"/>: watch from Revision + 1 to miss nothing after it.</summary>
/// <param name="More">A limit cut the list short.</param>
public sealed record EtcdRange(ImmutableArray<EtcdEntry> Entries, long Revision, bool More = false);

/// <summary>A put or a delete seen by a watch. For a delete, <c>Entry.Value</c> is empty and <c>Entry.ModRevision</c> is the delete's revision.</summary>
public sealed record EtcdChange(EtcdEntry Entry, bool Deleted);

/// <summary>The watch ended because etcd no longer keeps the history it was to start from: re-read the range, then watch from its revision + 1.</summary>
public sealed record WatchCompacted(long CompactRevision);

/// <summary>
/// Proof of leadership as etcd recorded it: the leader key was created at <see cref="CreateRevision"/> on
/// <see cref="LeaseId"/>. A key of the same name created later (after this one expired) is someone else's term.
/// </summary>
public sealed record LeaderToken(string Name, long CreateRevision, long LeaseId);

/// <summary>The outcome of a create-if-absent.</summary>
public abstract record CreateResult
{
    private CreateResult() { }

    public sealed record Created(long Revision) : CreateResult;

    /// <summary>The key existed; this is what it held at that moment.</summary>
    public sealed record Taken(EtcdEntry Existing) : CreateResult;
}

/// <summary>The outcome of appending to a service's log as the leader.</summary>
public abstract record AppendResult
{
    private AppendResult() { }

    /// <summary>Every value is in the log, at the sequence numbers asked for, as of <paramref name="Revision"/>.</summary>
    public sealed record Committed(long Revision) : AppendResult;

    /// <summary>The leader key is gone or is another term's: nothing was written, and nothing may act on what was to be.</summary>
    /// <param name="CurrentLeader">Who holds the key now, if anyone.</param>
    public sealed record NotLeader(string? CurrentLeader) : AppendResult;

    /// <summary>
    /// The sequence number was taken: nothing was written. <paramref name="ExistingSeq"/> is the last sequence number
    /// in the service's log. Re-read the log from the asked-for number before appending again.
    /// </summary>
    public sealed record Conflict(long ExistingSeq) : AppendResult;
}
