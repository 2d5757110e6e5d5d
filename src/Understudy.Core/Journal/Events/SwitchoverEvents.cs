namespace Understudy.Core.Journal;

/// <summary>A planned switchover began: new connections are held while open ones to <paramref name="From"/> drain. The epoch is unchanged until the drain ends.</summary>
public sealed record SwitchoverStarted(string From, string To, string? Request = null) : JournalEvent;

/// <summary>PostgreSQL: the drain ended; the old primary (the event's member) is being stopped cleanly (<c>pg_ctl stop -m fast</c>). The epoch is unchanged.</summary>
public sealed record SwitchoverStopping(string From, string To) : JournalEvent;

/// <summary>
/// PostgreSQL: the old primary stopped cleanly at its shutdown checkpoint <paramref name="CheckpointLsn"/> (from
/// <c>pg_controldata</c>); the target must replay past it before it is promoted.
/// </summary>
public sealed record MemberStopped(long CheckpointLsn, string Detail = "") : JournalEvent;

/// <summary>
/// PostgreSQL: the switchover is called off before the epoch advanced (the stop failed, or the target did not replay the
/// old primary's last WAL in time): the old primary is started again and takes its traffic back.
/// </summary>
public sealed record SwitchoverGivingBack(string From, string To, string Why) : JournalEvent;

/// <summary>
/// PostgreSQL: after a switchover the old primary (the event's member) was restarted as a standby of
/// <paramref name="Primary"/>; when that failed it needs an operator's rejoin.
/// </summary>
public sealed record MemberFollowing(string Primary, bool Succeeded, string Detail = "") : JournalEvent;

public sealed record SwitchoverCompleted(string From, string To, long DurationMs, string? Request = null) : JournalEvent;

/// <summary>
/// The switchover ended without moving to <paramref name="To"/>: <paramref name="Primary"/> is the primary of this
/// event's epoch and <paramref name="Routable"/> the member traffic goes to (none: an operator decides).
/// </summary>
public sealed record SwitchoverFailed(string From, string To, string Primary, string? Routable, string? Request = null) : JournalEvent;

/// <summary>Maintenance: no automatic failover and no request is carried out until resumed.</summary>
public sealed record ServicePaused(string PauseReason) : JournalEvent;

public sealed record ServiceResumed : JournalEvent;
