using System.Collections.Immutable;

namespace Understudy.Core.Journal;

/// <summary>
/// A service's whole folded state at this point of its log (all of it but what checks observe), so the log before it
/// may be removed: folding from a snapshot gives what folding everything before it gave. The leader appends one
/// every so many events; with several controllers, etcd keeps the log from the newest snapshot every live instance
/// has mirrored.
/// </summary>
public sealed record ServiceSnapshot(
    string Primary,
    string? Routable,
    SnapshotChange? Change,
    DateTimeOffset? LastFailoverAt,
    string? HoldReason,
    bool Degraded,
    bool RolesConfirmed,
    bool PrimaryKnown,
    ImmutableArray<string>? SyncStandbys,
    DateTimeOffset? SyncRetryAfter,
    SnapshotRequest? Request,
    SnapshotPause? Pause,
    ImmutableArray<string> Raised,
    ImmutableArray<string> NeedsRejoin,
    ImmutableArray<RunningHook> RunningHooks = default,
    DateTimeOffset? DemoteRetryAfter = null,
    SnapshotVeto? Veto = null,
    DateTimeOffset? VetoRetryAt = null,
    string? SyncConfirmed = null) : JournalEvent;

/// <summary>A change waiting for the veto hooks' answer, as the snapshot holds it.</summary>
public sealed record SnapshotVeto(RequestKind Kind, string From, string To, string? Request, DateTimeOffset AskedAt);

/// <summary>A failover or switchover under way, as the snapshot holds it (<paramref name="Stage"/>: draining, stopping, catching_up, giving_back, fencing, promoting, awaiting_target, running_hooks, fence_failed).</summary>
public sealed record SnapshotChange(string From, string To, long Epoch, DateTimeOffset StartedAt, string Stage, int HooksFinished, RequestKind Kind, string? Request,
    string? FenceFailure = null, long? CheckpointLsn = null, int SwitchAttempts = 0, DateTimeOffset? SwitchRetryAt = null);

/// <summary>An open operator request, as the snapshot holds it (<paramref name="State"/>: awaiting_approval or executing).</summary>
public sealed record SnapshotRequest(string Id, RequestKind Kind, string From, string To, string Reason, string RequestedBy, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, int ApprovalsNeeded, ImmutableArray<string> ApprovedBy, string State, bool Force = false,
    DateTimeOffset? NotBefore = null, DateTimeOffset? NotAfter = null, string? Window = null);

public sealed record SnapshotPause(string By, string Reason, DateTimeOffset Since);
