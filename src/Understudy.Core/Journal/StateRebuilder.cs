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
                    PrimaryKnown = true,
                    Epoch = e.Epoch,
                    Primary = to!,
                    Routable = null,
                    Failover = new FailoverProgress(from!, to!, e.Epoch, e.Time, FailoverStage.Fencing, Request: e.Detail("request")),
                    HoldReason = null,
                    Degraded = false,
                };
            case EventTypes.SwitchoverStarted:
                string? leaving = e.Detail("from"), taking = e.Detail("to");
                if (!Known(s, leaving, e, ref error) || !Known(s, taking, e, ref error)) return s;
                return s with
                {
                    Routable = null,
                    Failover = new FailoverProgress(leaving!, taking!, e.Epoch, e.Time, FailoverStage.Draining, Kind: RequestKind.Switchover, Request: e.Detail("request")),
                };
            case EventTypes.MemberFenced when s.Failover is { Stage: FailoverStage.Draining } f:
                return s with { Epoch = e.Epoch, Primary = f.To, PrimaryKnown = true, Failover = f with { Epoch = e.Epoch, Stage = FailoverStage.AwaitingTarget } };
            case EventTypes.SwitchoverCompleted when s.Failover?.Epoch == e.Epoch:
                return s with { Failover = null };
            case EventTypes.SwitchoverFailed when e.Detail("primary") is { } back && s.Members.ContainsKey(back):
                string? routable = e.Detail("routable");
                return s with { Failover = null, Epoch = e.Epoch, Primary = back, Routable = routable, Degraded = routable is null, HoldReason = routable is null ? e.Reason : null };
            case EventTypes.RequestCreated:
                return s with { Request = Request(e) };
            case EventTypes.RequestApproved when s.Request is { } r && r.Id == e.Detail("id") && e.Detail("approved_by") is { } by:
                return s with { Request = r with { ApprovedBy = r.ApprovedBy.Add(by) } };
            case EventTypes.RequestExecuting when s.Request is { } r && r.Id == e.Detail("id"):
                return s with { Request = r with { State = RequestState.Executing } };
            case EventTypes.RequestRejected or EventTypes.RequestExpired or EventTypes.RequestCompleted or EventTypes.RequestFailed
                when s.Request?.Id == e.Detail("id"):
                return s with { Request = null };
            case EventTypes.ServicePaused:
                return s with { Pause = new PauseInfo(e.Actor, e.Detail("pause_reason") ?? "", e.Time) };
            case EventTypes.ServiceResumed:
                return s with { Pause = null };
            case EventTypes.MemberFenced when s.Failover is { Stage: FailoverStage.Fencing } f && f.Epoch == e.Epoch:
                return s with { Failover = f with { Stage = s.IsPostgres ? FailoverStage.Promoting : FailoverStage.AwaitingTarget } };
            case EventTypes.MemberPromoted when s.Failover is { Stage: FailoverStage.Promoting } f && f.Epoch == e.Epoch:
                return s with { Failover = f with { Stage = FailoverStage.AwaitingTarget } };
            case EventTypes.ConfigMismatch when e.Detail("primary") is { } found && s.Failover is null && s.Members.ContainsKey(found):
                return s with { Primary = found, Routable = found, PrimaryKnown = true };
            case EventTypes.MemberRole when e.Detail("primary") is { } confirmed && confirmed == s.Primary:
                return s with { PrimaryKnown = true };
            case EventTypes.SyncStandbysChanged when e.Detail("standbys") is { } named:
                return s with { SyncStandbys = [.. named.Split(',', StringSplitOptions.RemoveEmptyEntries)] };
            case EventTypes.HookCompleted or EventTypes.HookFailed
                when s.Failover is { Stage: FailoverStage.RunningHooks } f && f.Epoch == e.Epoch && e.Detail("trigger") == f.Hooks.ConfigKey():
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

    /// <summary>A request as journaled when it was made; a record that cannot be read is skipped, never guessed.</summary>
    private static OperatorRequest? Request(JournalEvent e)
    {
        if (e.Detail("id") is not { } id || e.Detail("to") is not { } to || e.Detail("from") is not { } from) return null;
        RequestKind kind = e.Detail("kind") == RequestKind.Failover.Text() ? RequestKind.Failover : RequestKind.Switchover;
        DateTimeOffset expires = DateTimeOffset.TryParse(e.Detail("expires_at"), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out DateTimeOffset at) ? at : e.Time;
        int needed = int.TryParse(e.Detail("approvals_needed"), out int n) ? n : 0;
        return new OperatorRequest(id, kind, from, to, e.Detail("request_reason") ?? "", e.Detail("requested_by") ?? e.Actor, e.Time, expires, needed, [], RequestState.AwaitingApproval);
    }

    private static bool Known(ServiceState s, string? member, JournalEvent e, ref string? error)
    {
        if (member is not null && s.Members.ContainsKey(member)) return true;
        error = $"the journal's event #{e.Id} ({e.Type} at {e.Time:O}, epoch {e.Epoch}) names member '{member}', " +
                $"which service {s.Name} no longer has in the config; restore the member or start with a new journal";
        return false;
    }
}
