namespace Understudy.Core.Journal;

/// <summary>A planned switchover began: new connections are held while open ones to <paramref name="From"/> drain. The epoch is unchanged until the drain ends.</summary>
public sealed record SwitchoverStarted(string From, string To, string? Request = null) : JournalEvent;

public sealed record SwitchoverCompleted(string From, string To, long DurationMs, string? Request = null) : JournalEvent;

/// <summary>
/// The switchover ended without moving to <paramref name="To"/>: <paramref name="Primary"/> is the primary of this
/// event's epoch and <paramref name="Routable"/> the member traffic goes to (none: an operator decides).
/// </summary>
public sealed record SwitchoverFailed(string From, string To, string Primary, string? Routable, string? Request = null) : JournalEvent;

/// <summary>Maintenance: no automatic failover and no request is carried out until resumed.</summary>
public sealed record ServicePaused(string PauseReason) : JournalEvent;

public sealed record ServiceResumed : JournalEvent;
