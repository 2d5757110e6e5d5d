using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Core.Journal;

/// <summary>
/// Rebuilds a service's state from its journal so a restarted controller keeps the epoch, the primary,
/// the members that need a rejoin and any half-done failover. Health is not rebuilt: it is re-learned.
/// </summary>
public static class StateRebuilder
{
    /// <summary>Folds the service's events in journal order; fails when the journal names a member the config lacks.</summary>
    public static ServiceState Rebuild(ServiceSpec spec, IEnumerable<JournalEvent> events, out string? error)
    {
        error = null;
        ServiceState state = ServiceState.Initial(spec);
        foreach (JournalEvent e in events.Where(e => e.Service == spec.Name))
        {
            state = Apply(state, e, ref error);
            if (error is not null) return state;
        }
        // PostgreSQL roles are re-read from the servers: nothing is routed until the journal's primary is
        // seen writable, and a failover cut off after its switch switches again once the new primary is.
        if (state.IsPostgres)
        {
            state = state with { Routable = null, RolesConfirmed = false };
            if (state.Failover is { Stage: FailoverStage.RunningHooks } f) state = state with { Failover = f with { Stage = FailoverStage.AwaitingTarget } };
        }
        return state;
    }

    private static ServiceState Apply(ServiceState s, JournalEvent e, ref string? error)
    {
        switch (e.Type)
        {
            case EventTypes.FailoverStarted:
                string? from = e.Detail("from"), to = e.Detail("to");
                if (!Known(s, from, e, ref error) || !Known(s, to, e, ref error)) return s;
                return s.WithMember(s.Members[from!] with { NeedsRejoin = true }) with
                {
                    Epoch = e.Epoch,
                    Primary = to!,
                    Routable = null,
                    Failover = new FailoverProgress(from!, to!, e.Epoch, e.Time, FailoverStage.Fencing),
                    HoldReason = null,
                    Degraded = false,
                };
            case EventTypes.MemberFenced when s.Failover is { Stage: FailoverStage.Fencing } f && f.Epoch == e.Epoch:
                return s with { Failover = f with { Stage = s.IsPostgres ? FailoverStage.Promoting : FailoverStage.AwaitingTarget } };
            case EventTypes.MemberPromoted when s.Failover is { Stage: FailoverStage.Promoting } f && f.Epoch == e.Epoch:
                return s with { Failover = f with { Stage = FailoverStage.AwaitingTarget } };
            case EventTypes.ConfigMismatch when e.Detail("primary") is { } found && s.Failover is null && s.Members.ContainsKey(found):
                return s with { Primary = found, Routable = found };
            case EventTypes.HookCompleted or EventTypes.HookFailed
                when s.Failover is { Stage: FailoverStage.RunningHooks } f && f.Epoch == e.Epoch && e.Detail("trigger") == HookTrigger.OnFailover.ConfigKey():
                return s with { Failover = f with { HooksFinished = f.HooksFinished + 1 } };
            case EventTypes.MemberRejoined when e.Member is { } rejoined && s.Members.TryGetValue(rejoined, out var m):
                return s.WithMember(m with { NeedsRejoin = false });
            case EventTypes.TrafficSwitched when s.Failover is { } f && f.Epoch == e.Epoch:
                return s with { Routable = f.To, Failover = f with { Stage = FailoverStage.RunningHooks } };
            case EventTypes.FailoverCompleted when s.Failover?.Epoch == e.Epoch:
                return s with { Failover = null, LastFailoverAt = e.Time };
            case EventTypes.FailoverFailed when s.Failover?.Epoch == e.Epoch:
                return s with { Failover = null, LastFailoverAt = e.Time, Routable = null, Degraded = true, HoldReason = e.Reason };
            default:
                return s;
        }
    }

    private static bool Known(ServiceState s, string? member, JournalEvent e, ref string? error)
    {
        if (member is not null && s.Members.ContainsKey(member)) return true;
        error = $"the journal's event #{e.Id} ({e.Type} at {e.Time:O}, epoch {e.Epoch}) names member '{member}', " +
                $"which service {s.Name} no longer has in the config; restore the member or start with a new journal";
        return false;
    }
}
