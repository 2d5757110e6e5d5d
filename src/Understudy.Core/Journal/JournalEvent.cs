using System.Collections.Immutable;

namespace Understudy.Core.Journal;

/// <summary>
/// One append-only journal record. <see cref="Details"/> holds text, numbers or booleans; the reason
/// sentence of the decision that wrote it is under <c>reason</c>.
/// </summary>
public sealed record JournalEvent(
    DateTimeOffset Time,
    string Service,
    string? Member,
    long Epoch,
    string Type,
    string Actor,
    ImmutableDictionary<string, object?> Details)
{
    /// <summary>Position in the journal; 0 until it is stored.</summary>
    public long Id { get; init; }

    public string? Detail(string key) => Details.TryGetValue(key, out object? v) ? v?.ToString() : null;

    public string? Reason => Detail("reason");
}

/// <summary>Who caused an event.</summary>
public static class Actors
{
    public const string Controller = "controller";

    /// <summary>A drill acting through the API (fault injection); never counted as a manual step.</summary>
    public const string Drill = "drill";

    /// <summary>A person, through the CLI or API, when the API asks for no token; otherwise the token's name is the actor.</summary>
    public const string Operator = "operator";
}

/// <summary>The event types the journal holds; stable names read by the API, reports and drills.</summary>
public static class EventTypes
{
    public const string ControllerStarted = "controller.started";
    public const string ControllerStopped = "controller.stopped";
    public const string MemberUp = "member.up";
    public const string MemberDown = "member.down";
    public const string MemberSuspected = "member.suspected";
    public const string MemberFenced = "member.fenced";
    public const string FailoverStarted = "failover.started";
    public const string FailoverResumed = "failover.resumed";
    public const string FailoverHeld = "failover.held";
    public const string FailoverCompleted = "failover.completed";
    public const string FailoverFailed = "failover.failed";
    public const string TrafficSwitched = "traffic.switched";
    public const string HookCompleted = "hook.completed";
    public const string HookFailed = "hook.failed";
    public const string ServiceDegraded = "service.degraded";
    public const string ServiceRestored = "service.restored";
    public const string AlertRaised = "alert.raised";
    public const string UnexpectedError = "controller.error";
    public const string MemberPromoted = "member.promoted";
    public const string MemberRejoined = "member.rejoined";
    public const string RejoinStarted = "rejoin.started";
    public const string RejoinFailed = "rejoin.failed";
    public const string MemberRole = "member.role";
    public const string MemberWritable = "member.writable";
    public const string StandbysRepointed = "standbys.repointed";
    public const string SyncStandbysChanged = "sync.changed";
    public const string ConfigMismatch = "config.mismatch";
    public const string FaultInjected = "fault.injected";
    public const string FaultCleared = "fault.cleared";
    public const string RequestCreated = "request.created";
    public const string RequestRefused = "request.refused";
    public const string RequestApproved = "request.approved";
    public const string RequestRejected = "request.rejected";
    public const string RequestExpired = "request.expired";
    public const string RequestExecuting = "request.executing";
    public const string RequestCompleted = "request.completed";
    public const string RequestFailed = "request.failed";
    public const string SwitchoverStarted = "switchover.started";
    public const string SwitchoverCompleted = "switchover.completed";
    public const string SwitchoverFailed = "switchover.failed";
    public const string ServicePaused = "service.paused";
    public const string ServiceResumed = "service.resumed";

    /// <summary>A drill reported its verdict to the controller (details: name, verdict, rto_ms, report).</summary>
    public const string DrillCompleted = "drill.completed";

    /// <summary>A notification reached its channel (details: channel, kind, event_id, attempts).</summary>
    public const string AlertDelivered = "alert.delivered";

    /// <summary>A notification could not be delivered after its retries (details: channel, kind, event_id, attempts, error).</summary>
    public const string AlertDeliveryFailed = "alert.delivery_failed";
}
