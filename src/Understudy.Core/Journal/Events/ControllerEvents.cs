namespace Understudy.Core.Journal;

/// <summary>A single controller (re)started with its state folded from the journal. PostgreSQL roles are read again from the servers.</summary>
public sealed record ControllerStarted(string Version = "", int Pid = 0) : JournalEvent;

public sealed record ControllerStopped(string Version = "", int Pid = 0) : JournalEvent, IInformational;

/// <summary>
/// With several controllers, <paramref name="Instance"/> became the leader; <paramref name="Term"/> is its
/// leader key's etcd revision (it grows with every election). Routing is kept: every proxy already follows the log.
/// </summary>
public sealed record LeaderElected(string Instance, long Term) : JournalEvent;

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
