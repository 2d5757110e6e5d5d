namespace Understudy.Core.Journal;

/// <summary>The epoch advanced (this event's epoch) with <paramref name="To"/> as primary; <paramref name="From"/> is fenced next and needs a rejoin.</summary>
public sealed record FailoverStarted(string From, string To, string? Request = null) : JournalEvent;

/// <summary>A new controller or leader carries on with a failover left half-done.</summary>
public sealed record FailoverResumed : JournalEvent, IInformational;

/// <summary>The primary is down but nothing automatic follows (paused, manual mode, cooldown); the reason says which.</summary>
public sealed record FailoverHeld : JournalEvent;

public sealed record FailoverCompleted(string From, string To, long DurationMs, string? Request = null) : JournalEvent;

/// <summary>A fence, promotion or switch failed: nothing is routable until an operator acts.</summary>
public sealed record FailoverFailed(string From, string To, string? Request = null) : JournalEvent;

/// <summary>
/// A required fence hook failed: <paramref name="From"/> is not known to be fenced, so <paramref name="To"/> is not
/// promoted. The failover stays stopped (nothing routable, the service degraded) until an operator forces it.
/// </summary>
public sealed record FailoverBlocked(string From, string To, string Failure) : JournalEvent;

/// <summary>
/// An operator's request (<paramref name="Request"/>) forced a failover, accepting the risk <paramref name="Failure"/> names: past
/// its failed fence (the old primary may still run), or past the lag rules (writes the new primary never received are lost).
/// </summary>
public sealed record FailoverForced(string From, string To, string Failure, string Request) : JournalEvent;

/// <summary>Traffic goes to the event's member, the primary of its epoch.</summary>
public sealed record TrafficSwitched : JournalEvent;

/// <summary>
/// The new primary (the event's member) is ready: traffic.haproxy, traffic.dns and traffic.hooks are being switched to it,
/// attempt <paramref name="Attempt"/>. Traffic is held until every one has switched.
/// </summary>
public sealed record TrafficSwitching(int Attempt = 1) : JournalEvent;

/// <summary>A switch of traffic.haproxy, traffic.dns or traffic.hooks failed; all of them are tried again at <paramref name="RetryAt"/>, never back to the fenced member.</summary>
public sealed record TrafficSwitchFailed(int Attempt, DateTimeOffset RetryAt) : JournalEvent;

/// <summary>A traffic switch had drifted from the journal's primary (HAProxy restarted or reloaded, a person changed it) and was reset.</summary>
public sealed record TrafficReconciled(string Switch = "") : JournalEvent, IInformational;

/// <summary>The primary is down and no standby can take over (rule 5).</summary>
public sealed record ServiceDegraded : JournalEvent;

/// <summary>The primary is up again after a hold or degradation; nothing was failed over.</summary>
public sealed record ServiceRestored : JournalEvent;
