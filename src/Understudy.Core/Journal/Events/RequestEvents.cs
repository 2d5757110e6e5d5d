using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Understudy.Core.Journal;

public enum RequestKind { Switchover, Failover }

/// <summary>A person asked for a change to <paramref name="To"/>; it is carried out once <paramref name="ApprovalsNeeded"/> others approved it.</summary>
/// <param name="Force">It forces a failover stopped at a failed required fence hook past it.</param>
/// <remarks>Request events name their request as <c>id</c> in the journal; <see cref="JournalEvent.Id"/> is the event's own position.</remarks>
/// <param name="NotBefore">A scheduled switchover: it runs at this instant once approved, and no later than <paramref name="NotAfter"/>; <paramref name="Window"/> says why then.</param>
public sealed record RequestCreated([property: JsonPropertyName("id")] string RequestId, RequestKind Kind, string From, string To, string RequestReason, string RequestedBy,
    int ApprovalsNeeded, DateTimeOffset ExpiresAt, bool Force = false, DateTimeOffset? NotBefore = null, DateTimeOffset? NotAfter = null, string? Window = null)
    : JournalEvent, IRequestEvent;

/// <summary>An approved scheduled request waits for its window; it can still be rejected or withdrawn.</summary>
public sealed record RequestScheduled([property: JsonPropertyName("id")] string RequestId, DateTimeOffset NotBefore, DateTimeOffset NotAfter) : JournalEvent, IRequestEvent;

/// <summary>An operator's action was not carried out; <paramref name="Refused"/> says why. Who tried what belongs to the record.</summary>
/// <param name="Repeated">Set on the record that closes a window: how many more times the same actor was refused the same way since the first.</param>
public sealed record RequestRefused([property: JsonPropertyName("id")] string? RequestId, string Action, string Refused, int? Repeated = null)
    : JournalEvent, IInformational, IRequestEvent;

public sealed record RequestApproved([property: JsonPropertyName("id")] string RequestId, string ApprovedBy, string Comment, int Approvals, int ApprovalsNeeded) : JournalEvent, IRequestEvent;

/// <summary>Rejected by someone, or withdrawn by its requester.</summary>
public sealed record RequestRejected([property: JsonPropertyName("id")] string RequestId, string RejectedBy, string Comment) : JournalEvent, IRequestEvent;

public sealed record RequestExpired([property: JsonPropertyName("id")] string RequestId) : JournalEvent, IRequestEvent;

public sealed record RequestExecuting([property: JsonPropertyName("id")] string RequestId, ImmutableArray<string> ApprovedBy, string To) : JournalEvent, IRequestEvent;

public sealed record RequestCompleted([property: JsonPropertyName("id")] string RequestId, string? To = null) : JournalEvent, IRequestEvent;

/// <summary>The change did not happen or did not succeed; the reason says why.</summary>
public sealed record RequestFailed([property: JsonPropertyName("id")] string RequestId, string? To = null) : JournalEvent, IRequestEvent;

/// <summary>An event of the request.* family: the request it belongs to.</summary>
public interface IRequestEvent
{
    string? RequestId { get; }
}

public static class RequestKindNames
{
    public static string Text(this RequestKind kind) => kind == RequestKind.Switchover ? "switchover" : "failover";
}
