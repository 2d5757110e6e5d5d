namespace Understudy.Core.Journal;

/// <summary>A single controller (re)started with its state folded from the journal. PostgreSQL roles are read again from the servers.</summary>
public sealed record ControllerStarted(string Version = "", int Pid = 0) : JournalEvent;

public sealed record ControllerStopped(string Version = "", int Pid = 0) : JournalEvent, IInformational;

/// <summary>
/// With several controllers, <paramref name="Instance"/> became the leader; <paramref name="Term"/> is its
/// leader key's etcd revision (it grows with every election). Routing is kept: every proxy already follows the log.
/// </summary>
public sealed record LeaderElected(string Instance, long Term) : JournalEvent;

/// <summary>
/// Something about this instance's place in its cluster that a person must hear of, told straight to the alert
/// channels when it cannot be journaled (etcd lost): <paramref name="Condition"/> names it (<c>etcd</c>: failsafe,
/// lost by every instance; <c>isolated:NAME</c>: one instance cut off, its proxies stopped routing). Its end is journaled.
/// </summary>
public sealed record ClusterAlert(string Condition, string Severity, bool Resolved = false) : JournalEvent, IInformational, IInstanceAlert;

/// <summary>
/// This controller stood still for <paramref name="PausedMs"/> (a GC, SIGSTOP, an overloaded host), longer than the
/// service's check interval: checks that spanned the pause were discarded, not counted against the members.
/// </summary>
public sealed record ControllerStalled(long PausedMs = 0) : JournalEvent, IInformational;

/// <summary>The decider failed on an input; the state was kept. Please report.</summary>
public sealed record UnexpectedError(string Input = "") : JournalEvent, IInformational;

/// <summary>
/// A record of a type this version does not know (written by a newer Understudy), kept as stored so nothing
/// is lost when it is mirrored or shown; <see cref="Failover.ServiceFold.Evolve"/> leaves the state as it is.
/// </summary>
public sealed record UnknownEvent(string StoredType, int Version, string Json) : JournalEvent, IInformational
{
    public override string Type => StoredType;
}

/// <summary>
/// Marks an event about this instance itself, not about a service's decisions: every instance of a cluster tells
/// the alert channels of its own, leader or not.
/// </summary>
public interface IInstanceAlert;

/// <summary>
/// This instance's journal stopped taking writes (<paramref name="Cause"/>: disk full, read-only, an I/O error, a
/// corrupt page): nothing is decided or acted on until it writes again. It cannot be journaled when it happens, so it
/// is told straight to the alert channels and recorded afterwards with <see cref="JournalRecovered"/>.
/// </summary>
public sealed record JournalUnavailable(string Cause = "", string Instance = "") : JournalEvent, IInformational, IInstanceAlert;

/// <summary>
/// The journal writes again after <paramref name="FailedWrites"/> failed attempts since <paramref name="Since"/>;
/// <paramref name="Cause"/> is what the first one failed with.
/// </summary>
public sealed record JournalRecovered(string Cause = "", DateTimeOffset Since = default, long FailedWrites = 0, string Instance = "")
    : JournalEvent, IInformational, IInstanceAlert;

/// <summary>
/// The journal file was deleted, replaced or truncated under the running controller (<paramref name="Why"/>); a new
/// file was started at the same path, beginning with a snapshot of every service, so the next start folds the current
/// state rather than an older one. Anything recorded only in the old file is gone from this one.
/// </summary>
public sealed record JournalReplaced(string Why = "", string Instance = "") : JournalEvent, IInformational, IInstanceAlert;

/// <summary>
/// The config file was read again and applied (<c>understudy reload</c>, SIGHUP, <c>POST /api/reload</c>):
/// <paramref name="Digest"/> is the file's SHA-256, as <c>sha256sum</c> prints it; the services it added, removed and
/// reconfigured are named. Every other service, its proxy listener and its open connections were left as they were.
/// </summary>
public sealed record ConfigReloaded(string Digest = "", System.Collections.Immutable.ImmutableArray<string> Added = default,
    System.Collections.Immutable.ImmutableArray<string> Removed = default, System.Collections.Immutable.ImmutableArray<string> Changed = default)
    : JournalEvent, IInformational;

/// <summary>A reload changed nothing: the file (SHA-256 <paramref name="Digest"/>; empty when unreadable) is invalid or asks what only a restart can do; <see cref="JournalEvent.Reason"/> says why.</summary>
public sealed record ConfigReloadRefused(string Digest = "") : JournalEvent, IInformational;
