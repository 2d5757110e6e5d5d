using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

/// <summary>What the controller knows of one member.</summary>
/// <param name="Suspected">The proxy failed to connect to it and active checks are confirming.</param>
/// <param name="NeedsRejoin">It was failed over from; no automatic action gives it traffic again.</param>
public sealed record MemberState(string Name, HealthTracker Tracker, bool Suspected, bool NeedsRejoin, string LastDetail)
{
    public Health Health => Tracker.Health;

    public static MemberState Initial(string name) => new(name, HealthTracker.Initial, false, false, "not checked yet");
}

/// <summary>
/// Fencing: the old primary is being cut off. AwaitingTarget: fenced, but the new primary has not been
/// seen up yet (after a restart its health is re-learned), so nobody gets traffic. RunningHooks: traffic
/// switched, <c>on_failover</c> hooks running.
/// </summary>
public enum FailoverStage { Fencing, AwaitingTarget, RunningHooks }

/// <summary>A failover under way: the epoch has advanced to <see cref="Epoch"/>, <see cref="To"/> is its primary.</summary>
/// <param name="HooksFinished">Hooks already journaled as finished, known only from the journal after a restart.</param>
public sealed record FailoverProgress(string From, string To, long Epoch, DateTimeOffset StartedAt, FailoverStage Stage, int HooksFinished = 0);

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

    /// <summary>A service as first configured: epoch 1, the configured primary routable, nothing checked yet.</summary>
    public static ServiceState Initial(ServiceSpec spec) => new(
        spec, FirstEpoch, spec.Primary, spec.Primary,
        spec.Members.ToImmutableDictionary(m => m.Name, m => MemberState.Initial(m.Name)),
        Failover: null, LastFailoverAt: null, HoldReason: null, Degraded: false);

    public string Name => Spec.Name;

    public MemberState PrimaryMember => Members[Primary];

    public bool IsInCooldown(DateTimeOffset now) => LastFailoverAt is { } last && now < last + Spec.Failover.Cooldown;

    public DateTimeOffset? CooldownUntil => LastFailoverAt + Spec.Failover.Cooldown;

    internal ServiceState WithMember(MemberState member) => this with { Members = Members.SetItem(member.Name, member) };
}
