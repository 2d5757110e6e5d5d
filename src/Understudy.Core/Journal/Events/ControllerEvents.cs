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
public sealed record ClusterAlert(string Condition, string Severity, bool Resolved = false) : JournalEvent, IInformational;

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
