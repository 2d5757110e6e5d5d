namespace Understudy.Core.Journal;

/// <summary>
/// A production drill asks to run on a service that needs approvals (<paramref name="Request"/> is its id, d-…): <paramref name="Digest"/> is the SHA-256 of the drill
/// file, so only that exact file may run; <paramref name="Why"/> is the requester's reason. <paramref name="Standing"/>: for a schedule, approved
/// once for every run of that file (DESIGN, drill programme), rather than for one run soon.
/// </summary>
public sealed record DrillRequested(string Request, string Name, string Digest, int ApprovalsNeeded, DateTimeOffset ExpiresAt, string Why, bool Standing = false) : JournalEvent, IInformational;

/// <summary>One approver (the actor, never the requester) approved drill request <paramref name="Request"/>.</summary>
public sealed record DrillApproved(string Request, string? Comment = null) : JournalEvent, IInformational;

/// <summary>A drill run started on the strength of approved request <paramref name="Request"/>: a one-run request cannot allow another run; a standing one can.</summary>
public sealed record DrillApprovalUsed(string Request, string Digest) : JournalEvent, IInformational;
