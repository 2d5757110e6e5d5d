using System.Collections.Immutable;

namespace Understudy.Core.Journal;

/// <summary>The member passed its first check, or <c>rise</c> in a row. Health itself is re-learned after a restart, never replayed.</summary>
public sealed record MemberUp(string Detail = "", string Origin = "active") : JournalEvent;

/// <summary>The member failed <c>fall</c> checks in a row.</summary>
public sealed record MemberDown(string Detail = "", string Origin = "active") : JournalEvent;

/// <summary>The proxy could not connect; active checks are confirming.</summary>
public sealed record MemberSuspected(string Detail = "") : JournalEvent;

/// <summary>
/// The failover's fence is done (the proxy closed the old primary's connections, fence hooks ran); or, with
/// <paramref name="From"/> and <paramref name="To"/>, a switchover's drain ended and this event's epoch makes
/// <paramref name="To"/> the primary.
/// </summary>
public sealed record MemberFenced(string Detail = "", string? From = null, string? To = null) : JournalEvent;

/// <summary>PostgreSQL: the failover's target left recovery.</summary>
public sealed record MemberPromoted(string Detail = "") : JournalEvent;

/// <summary>An operator made a member failed over from a standby of <paramref name="Primary"/>; it may be a candidate again.</summary>
public sealed record MemberRejoined(string Primary = "") : JournalEvent;

public sealed record RejoinStarted(string Primary = "") : JournalEvent, IInformational;

/// <summary>A rejoin did not work, or finished after another failover: the member stays out.</summary>
public sealed record RejoinFailed(string Primary = "") : JournalEvent, IInformational;

/// <summary>PostgreSQL: <paramref name="Primary"/> was seen writable, as the journal (or config) names it: traffic may go to it.</summary>
public sealed record MemberRole(string Primary) : JournalEvent;

/// <summary>
/// Redis: a server that accepted writes out of turn (an old primary back) was made a replica of <paramref name="Primary"/>, or
/// that failed. <paramref name="LostBytes"/>: bytes of writes it held that the primary lacked, discarded by the resync
/// (null when its history is not the primary's, e.g. it came back empty). A failure is retried after <paramref name="RetryAfter"/>.
/// </summary>
public sealed record MemberDemoted(string Primary, bool Succeeded, long? LostBytes = null, DateTimeOffset? RetryAfter = null) : JournalEvent;

/// <summary>A second server accepts writes; PostgreSQL: it never gets traffic (Redis: it is demoted). Raised once per epoch.</summary>
public sealed record MemberWritable : JournalEvent, IInformational;

/// <summary>
/// With several controllers: the instances in <paramref name="Instances"/> cannot reach the primary while the others
/// do (or too few agree for the quorum), so it is not failed over; their own network is suspect. Journaled once per
/// distinct set, after the others had the time of a fall to agree.
/// </summary>
public sealed record MemberUnreachableFrom(ImmutableArray<string> Instances, ImmutableArray<string> ReachableFrom, int Quorum) : JournalEvent, IInformational;
