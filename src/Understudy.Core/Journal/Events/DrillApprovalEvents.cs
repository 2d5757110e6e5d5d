namespace Understudy.Core.Journal;

/// <summary>
/// A production drill asks to run on a service that needs approvals (<paramref name="Request"/> is its id, d-…): <paramref name="Digest"/> is the SHA-256 of the drill
/// file, so only that exact file may run; <paramref name="Why"/> is the requester's reason.
/// </summary>
public sealed record DrillRequested(string Request, string Name, string Digest, int ApprovalsNeeded, DateTimeOffset ExpiresAt, string Why) : JournalEvent, IInformational;

/// <summary>One approver (the actor, never the requester) approved drill request <paramref name="Request"/>.</summary>
public sealed record DrillApproved(string Request, string? Comment = null) : JournalEvent, IInformational;

/// <summary>A drill run started on the strength of approved request <paramref name="Request"/>: it cannot allow another run.</summary>
public sealed record DrillApprovalUsed(string Request, string Digest) : JournalEvent, IInformational;
