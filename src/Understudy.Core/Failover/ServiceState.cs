using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

/// <summary>What the controller knows of one member.</summary>
/// <param name="Suspected">The proxy failed to connect to it and active checks are confirming.</param>
/// <param name="NeedsRejoin">It was failed over from; no automatic action gives it traffic again.</param>
/// <param name="Replication">The last successful PostgreSQL observation; it stays after the member goes down (its last known LSN).</param>
/// <param name="ReplicationRestored"><see cref="Replication"/> was seen by the controller before it restarted, not yet by a check since.</param>
public sealed record MemberState(string Name, HealthTracker Tracker, bool Suspected, bool NeedsRejoin, string LastDetail, ReplicationView? Replication = null, bool ReplicationRestored = false)
{
    public Health Health => Tracker.Health;

    public static MemberState Initial(string name) => new(name, HealthTracker.Initial, false, false, "not checked yet");
}

/// <summary>
/// What one check taught about a member: its health count, whether it is being confirmed, and what the server
/// said. Folded like an event but never journaled: after a restart, and on every instance of a cluster, health
/// is learned again from that instance's own checks rather than replayed.
/// </summary>
public sealed record MemberObserved(string Member, HealthTracker Tracker, bool Suspected, string Detail, ReplicationView? Replication) : Observation;

/// <summary>
/// Draining (switchover only): new connections are held while open ones to the old primary finish; the
/// epoch has not advanced yet. Fencing: the old primary is being cut off. Promoting: fenced, the new primary being promoted
/// (PostgreSQL). AwaitingTarget: fenced (and promoted), but the new primary has not been
/// seen up yet (after a restart its health is re-learned), so nobody gets traffic. RunningHooks: traffic
/// switched, <c>on_failover</c> hooks running. FenceFailed: a required fence hook failed, so the old primary is not
/// known to be fenced; nothing is promoted or routed until an operator forces the failover on.
/// A PostgreSQL switchover has three more, between the drain and the epoch's advance: Stopping (the old primary is
/// being stopped cleanly), CatchingUp (stopped at <see cref="FailoverProgress.CheckpointLsn"/>; the target must replay
/// past it) and GivingBack (called off: the old primary is started again and gets its traffic back).
/// </summary>
public enum FailoverStage { Draining, Fencing, Promoting, AwaitingTarget, Switching, RunningHooks, FenceFailed, Stopping, CatchingUp, GivingBack }

/// <summary>A failover or switchover the veto hooks are being asked about (<paramref name="Request"/> null: an automatic failover).</summary>
public sealed record VetoQuestion(RequestKind Kind, string From, string To, string? Request, DateTimeOffset AskedAt);

/// <summary>
/// A change of primary under way: a failover, or a planned switchover (<see cref="Kind"/>). Past the drain
/// the epoch has advanced to <see cref="Epoch"/> and <see cref="To"/> is its primary.
/// </summary>
/// <param name="HooksFinished">Hooks already journaled as finished, known only from the journal after a restart.</param>
/// <param name="Request">The operator request being carried out, if a person asked for it.</param>
/// <param name="FenceFailure">While fencing: what the required fence hooks that failed in the latest run of the list said.</param>
/// <param name="CheckpointLsn">PostgreSQL switchover: the old primary's shutdown checkpoint, once it stopped.</param>
/// <param name="SwitchAttempts">While switching traffic.haproxy/dns/hooks: attempts started so far.</param>
/// <param name="SwitchRetryAt">While switching: when the next attempt starts after a failed one; null while one runs.</param>
public sealed record FailoverProgress(string From, string To, long Epoch, DateTimeOffset StartedAt, FailoverStage Stage, int HooksFinished = 0,
    RequestKind Kind = RequestKind.Failover, string? Request = null, string? FenceFailure = null, long? CheckpointLsn = null,
    int SwitchAttempts = 0, DateTimeOffset? SwitchRetryAt = null)
{
    public bool IsSwitchover => Kind == RequestKind.Switchover;

    public HookTrigger Hooks => IsSwitchover ? HookTrigger.OnSwitchover : HookTrigger.OnFailover;

    /// <summary>"failover" or "switchover", for sentences and event types.</summary>
    public string Word => Kind.Text();
}

/// <summary>
/// The decider's immutable state of one service. <see cref="Primary"/> is the primary of the current
/// epoch; <see cref="Routable"/> is the member traffic may reach, either <see cref="Primary"/> or none
/// (rule 1: at most one routable member per epoch).
/// </summary>
public sealed record ServiceState(
    ServiceSpec Spec,
    long Epoch,
    string Primary,
    string? Routable,
    ImmutableDictionary<string, MemberState> Members,
    FailoverProgress? Failover,
    DateTimeOffset? LastFailoverAt,
    string? HoldReason,
    bool Degraded)
{
    public const long FirstEpoch = 1;

    /// <summary>
    /// Whether the primary's role has been seen from the server itself. Always for http/tcp; for
    /// PostgreSQL nothing is routed until a check shows the primary writable (the config is only a hint).
    /// </summary>
    public bool RolesConfirmed { get; init; } = true;

    /// <summary>PostgreSQL synchronous mode: the standbys last written to synchronous_standby_names; null when not set by us yet.</summary>
    public ImmutableArray<string>? SyncStandbys { get; init; }

    /// <summary>
    /// PostgreSQL synchronous mode: the standby proven to hold every acknowledged commit (sync.caught_up), the only one
    /// promoted automatically; null after the setting was cleared or named another, until one is proven again.
    /// </summary>
    public string? SyncConfirmed { get; init; }

    /// <summary>How many sync.changed were folded: the number of the latest decided write of synchronous_standby_names.</summary>
    public int SyncChanges { get; init; }

    /// <summary>When the latest decided write of synchronous_standby_names succeeded; observed, never journaled.</summary>
    public DateTimeOffset? SyncWrittenAt { get; init; }

    /// <summary>The primary's position once it reported the named standby synchronous; observed, never journaled.</summary>
    public SyncMarked? SyncMark { get; init; }

    /// <summary>The open operator request (awaiting approval or executing); one at a time per service.</summary>
    public OperatorRequest? Request { get; init; }

    /// <summary>Maintenance: set while paused.</summary>
    public PauseInfo? Pause { get; init; }

    /// <summary>What the other instances see (several controllers); observed, never journaled.</summary>
    public PeerViews Eyes { get; init; } = PeerViews.Alone;

    /// <summary>Some instances cannot reach the primary while it is not failed over; observed, never journaled.</summary>
    public ReachSplit? Split { get; init; }

    /// <summary>Alerts already raised for a lasting condition (a second writable server), so each is raised once.</summary>
    public ImmutableHashSet<string> Raised { get; init; } = [];

    /// <summary>Hooks journaled as started and not yet as ended: after a takeover they may still run, and are ended before anything re-runs.</summary>
    public ImmutableArray<RunningHook> RunningHooks { get; init; } = [];

    /// <summary>A service as first configured: epoch 1, nothing checked yet. http/tcp route to the configured
    /// primary at once; PostgreSQL and Redis wait to see which server is writable.</summary>
    public static ServiceState Initial(ServiceSpec spec)
    {
        bool replicated = spec.IsReplicated;
        return new ServiceState(
            spec, FirstEpoch, spec.Primary, replicated ? null : spec.Primary,
            spec.Members.ToImmutableDictionary(m => m.Name, m => MemberState.Initial(m.Name)),
            Failover: null, LastFailoverAt: null, HoldReason: null, Degraded: false) { RolesConfirmed = !replicated };
    }

    public bool IsPostgres => Spec.Kind == ServiceKind.Postgres;

    public bool IsRedis => Spec.Kind == ServiceKind.Redis;

    /// <summary>PostgreSQL or Redis: roles and replication positions are read from the servers, and a standby is promoted.</summary>
    public bool IsReplicated => Spec.IsReplicated;

    /// <summary>
    /// A standby's lag at decision time: the primary's last seen WAL position (its last successful check)
    /// minus the standby's received position. Null when either is unknown (never promotable then).
    /// </summary>
    /// <remarks>A standby that received more than the primary's last seen position has forked from it (or the
    /// primary's view is stale): its lag is unknown, never 0.</remarks>
    public long? LagOf(string member) =>
        Members[Primary].Replication?.CurrentLsn is { } primaryLsn && Members[member].Replication?.ReceiveLsn is { } received
            ? Math.Max(0, primaryLsn - received) : null;

    /// <summary>Whether the primary's last observation lists <paramref name="member"/> as streaming from it (on its timeline).</summary>
    public bool StreamsFromPrimary(string member) => Members[Primary].Replication?.Streaming.Contains(member) == true;

    /// <summary>The journal already knows which server is primary (a role seen, adopted, or failed over to): no first-answer-wins.</summary>
    public bool PrimaryKnown { get; init; }

    /// <summary>A change waiting for the veto hooks' answer; nothing else starts meanwhile.</summary>
    public VetoQuestion? PendingVeto { get; init; }

    /// <summary>An automatic failover was vetoed: the veto hooks are not asked again before this instant.</summary>
    public DateTimeOffset? VetoRetryAt { get; init; }

    /// <summary>Redis: no new attempt to demote a server that accepts writes out of turn before this instant (after a failure).</summary>
    public DateTimeOffset? DemoteRetryAfter { get; init; }

    /// <summary>PostgreSQL synchronous mode: no new attempt to write synchronous_standby_names before this instant (after a failure).</summary>
    public DateTimeOffset? SyncRetryAfter { get; init; }

    public string Name => Spec.Name;

    public MemberState PrimaryMember => Members[Primary];

    public bool IsInCooldown(DateTimeOffset now) => LastFailoverAt is { } last && now < last + Spec.Failover.Cooldown;

    public DateTimeOffset? CooldownUntil => LastFailoverAt + Spec.Failover.Cooldown;

    internal ServiceState WithMember(MemberState member) => this with { Members = Members.SetItem(member.Name, member) };
}
