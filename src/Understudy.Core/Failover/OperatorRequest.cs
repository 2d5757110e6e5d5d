using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

public enum RequestState { AwaitingApproval, Scheduled, Executing, Completed, Rejected, Expired, Failed }

/// <summary>
/// When a scheduled switchover may run: from <paramref name="Start"/> (it runs then, checked again) until <paramref name="End"/>
/// (a controller that was not running at the start still runs it before the end; after, it has missed its window).
/// <paramref name="Source"/> says where it came from, for sentences: "at 2026-12-20 03:00:00Z", "the maintenance window (0 3 * * SUN, Europe/Berlin)".
/// </summary>
public sealed record ScheduledWindow(DateTimeOffset Start, DateTimeOffset End, string Source);

/// <summary>
/// A person's switchover or failover request. <see cref="To"/> is fixed when it is made, so approvers approve
/// one exact change; at execution it is checked again and never silently replaced by another member.
/// <see cref="Force"/>: it carries a failover stopped at a failed required fence past it.
/// </summary>
public sealed record OperatorRequest(
    string Id,
    RequestKind Kind,
    string From,
    string To,
    string Reason,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int ApprovalsNeeded,
    ImmutableArray<string> ApprovedBy,
    RequestState State,
    bool Force = false,
    ScheduledWindow? Window = null)
{
    public bool IsApproved => ApprovedBy.Length >= ApprovalsNeeded;

    /// <summary>", approved by bob, carol", or nothing when nobody had to: for the reasons that quote the request.</summary>
    public string ApprovedByText => ApprovedBy.IsEmpty ? "" : $", approved by {string.Join(", ", ApprovedBy)}";
}

/// <summary>Maintenance: while set, nothing is failed over automatically and no request executes.</summary>
public sealed record PauseInfo(string By, string Reason, DateTimeOffset Since);

/// <summary>Why an operator's input was not carried out, and what kind of refusal (the API's status code).</summary>
public sealed record Refusal(RefusalKind Kind, string Message);

public enum RefusalKind { Conflict, Forbidden, NotFound }

public static class RequestNames
{
    /// <summary>awaiting_approval, executing, …: the API's words.</summary>
    public static string Text(this RequestState state) => state switch
    {
        RequestState.AwaitingApproval => "awaiting_approval",
        _ => state.ToString().ToLowerInvariant(),
    };
}
