namespace Understudy.Api;

/// <summary>A switchover or failover request as the API shows it (built from the journal, so finished ones too).</summary>
public sealed record RequestView(
    string Id, string Service, string Kind, string From, string To, string Reason, string RequestedBy,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int ApprovalsNeeded, IReadOnlyList<string> ApprovedBy, string? RejectedBy,
    string State, string Detail, DateTimeOffset UpdatedAt, bool Force = false, DateTimeOffset? NotBefore = null, DateTimeOffset? NotAfter = null);

public sealed record RequestsPage(IReadOnlyList<RequestView> Requests);

/// <summary>What a request would do, without doing it (<c>dry_run: true</c>).</summary>
/// <param name="Commands">Every command the change would run, placeholders filled in, in order (fence hooks, traffic switches, hooks).</param>
public sealed record PlanView(string Service, string Kind, string From, string To, int ApprovalsNeeded, IReadOnlyList<string> Steps, IReadOnlyList<string> Commands, bool DryRun = true);

/// <summary>The body of <c>POST /api/services/{s}/switchover</c> and <c>/failover</c>.</summary>
/// <param name="Force">Failover only: carry on a failover stopped by a failed required fence hook, accepting that the old primary may still run.</param>
/// <param name="At">Switchover only: run at this instant (ISO 8601 with its offset) once approved, or within 15 minutes after.</param>
/// <param name="InWindow">Switchover only: run in the service's next maintenance window (<c>services.S.maintenance</c>).</param>
public sealed record ChangeBody(string? To, string? Reason, bool DryRun = false, bool Force = false, string? At = null, bool InWindow = false);

/// <summary>The body of approve, reject, pause and resume.</summary>
public sealed record CommentBody(string? Comment, string? Reason);
