namespace Understudy.Core.Journal;

/// <summary>Veto hooks are asked whether a failover or switchover to the event's member may start; nothing else starts meanwhile.</summary>
public sealed record VetoAsked(RequestKind Kind, string From, string To, string? Request = null) : JournalEvent;

/// <summary>Every veto hook allowed the change; it starts now, if everything it needs still holds.</summary>
public sealed record ChangeAllowed(RequestKind Kind, string To, string? Request = null) : JournalEvent;

/// <summary>
/// A veto hook refused the change (<paramref name="Veto"/>: what it said). A request fails; an automatic failover is held
/// and asked about again at <paramref name="RetryAt"/>.
/// </summary>
public sealed record ChangeVetoed(RequestKind Kind, string From, string To, string Veto, string? Request = null, DateTimeOffset? RetryAt = null) : JournalEvent;
