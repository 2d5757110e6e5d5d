namespace Understudy.Core.Failover;

/// <summary>
/// Where new client connections go. <see cref="Hold"/>: wait (up to the proxy's hold) for a change of
/// route. <see cref="TargetDown"/>: the target is known down and nothing automatic will follow, so a
/// failed connect fails the client at once instead of waiting. <see cref="NoReplica"/>: Redis synchronous mode, not
/// strict, and the primary was last seen with no replica online: the proxy stops waiting for one (and an alert said so).
/// </summary>
public sealed record TrafficRoute(long Epoch, string? Target, bool Hold, bool TargetDown, bool NoReplica = false);

public static class Routing
{
    /// <summary>The route is a pure function of the state: traffic follows the epoch (rule 1).</summary>
    public static TrafficRoute For(ServiceState state)
    {
        // Held while a failover is under way, or while a PostgreSQL primary's role is not yet seen; not while one waits
        // for a person at its failed fence, which nothing automatic ends within a client's wait.
        if (state.Routable is not { } target)
            return new TrafficRoute(state.Epoch, null, Hold: state.Failover is { Stage: not FailoverStage.FenceFailed } || !state.RolesConfirmed, TargetDown: false);

        MemberState member = state.Members[target];
        if (member.Suspected)
            return new TrafficRoute(state.Epoch, target, Hold: true, TargetDown: false);
        // Down with nothing decided yet (a follower's own checks are ahead of the leader's decision): wait for it.
        // Down and journaled as held or degraded: nothing automatic follows, so fail fast.
        bool down = member.Health == Detection.Health.Down;
        bool settled = state.HoldReason is not null || state.Degraded;
        return new TrafficRoute(state.Epoch, target, Hold: down && !settled, TargetDown: down && settled, NoReplica: ReplicationRules.Unreplicated(state));
    }
}
