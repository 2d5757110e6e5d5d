using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// The only place a service's state changes. The decider returns facts and this folds them in; a restarted
/// controller, or every instance of a cluster reading the shared log, folds the same journaled events with the
/// same code, so each has exactly the state the deciding one had (apart from what its own checks observe).
/// </summary>
public static class ServiceFold
{
    /// <summary>The state after <paramref name="fact"/>. Informational events and unknown ones change nothing.</summary>
    public static ServiceState Evolve(ServiceState s, Fact fact) => fact switch
    {
        MemberObserved o => Observed(s, o),
        PeersSeen p => s with { Eyes = p.Views },
        ReachSplitSeen r => s with { Split = r.Split },
        VetoAsked e => s with { PendingVeto = new VetoQuestion(e.Kind, e.From, e.To, e.Request, e.Time) },
        ChangeAllowed => s with { PendingVeto = null },
        ChangeVetoed e => s with { PendingVeto = null, VetoRetryAt = e.RetryAt ?? s.VetoRetryAt, HoldReason = e.Request is null ? e.Reason : s.HoldReason },
        FailoverStarted e => s.WithMember(s.Members[e.From] with { NeedsRejoin = true, Suspected = false }) with
        {
            VetoRetryAt = null,
            Epoch = e.Epoch,
            Primary = e.To,
            PrimaryKnown = true,
            Routable = null,
            Failover = new FailoverProgress(e.From, e.To, e.Epoch, e.Time, FailoverStage.Fencing, Request: e.Request),
            HoldReason = null,
            Degraded = false,
        },
        SwitchoverStarted e => s with
        {
            Routable = null,
            HoldReason = null,
            Failover = new FailoverProgress(e.From, e.To, e.Epoch, e.Time, FailoverStage.Draining, Kind: RequestKind.Switchover, Request: e.Request),
        },
        SwitchoverStopping when s.Failover is { Stage: FailoverStage.Draining } f => s with { Failover = f with { Stage = FailoverStage.Stopping } },
        MemberStopped e when s.Failover is { Stage: FailoverStage.Stopping } f => s with { Failover = f with { Stage = FailoverStage.CatchingUp, CheckpointLsn = e.CheckpointLsn } },
        SwitchoverGivingBack when s.Failover is { Stage: FailoverStage.Stopping or FailoverStage.CatchingUp } f => s with { Failover = f with { Stage = FailoverStage.GivingBack } },
        // The drain ended (PostgreSQL: the target replayed the stopped primary's last WAL): this event's epoch makes the
        // switchover's target the primary; every proxy is fenced next.
        MemberFenced e when s.Failover is { Stage: FailoverStage.Draining or FailoverStage.CatchingUp } f =>
            s with { Epoch = e.Epoch, Primary = f.To, PrimaryKnown = true, Failover = f with { Epoch = e.Epoch, Stage = FailoverStage.Fencing } },
        MemberFenced e when s.Failover is { Stage: FailoverStage.Fencing } f && f.Epoch == e.Epoch =>
            s with { Failover = f with { Stage = s.IsReplicated ? FailoverStage.Promoting : FailoverStage.AwaitingTarget } },
        MemberFollowing { Succeeded: false, Member: { } m } when s.Members.TryGetValue(m, out MemberState? old) => s.WithMember(old with { NeedsRejoin = true }),
        MemberPromoted e when s.Failover is { Stage: FailoverStage.Promoting } f && f.Epoch == e.Epoch => Promoted(s, f),
        TrafficSwitching e when s.Failover is { Stage: FailoverStage.AwaitingTarget or FailoverStage.Switching } f && f.Epoch == e.Epoch =>
            s with { Failover = f with { Stage = FailoverStage.Switching, SwitchAttempts = e.Attempt, SwitchRetryAt = null } },
        TrafficSwitchFailed e when s.Failover is { Stage: FailoverStage.Switching } f && f.Epoch == e.Epoch => s with { Failover = f with { SwitchRetryAt = e.RetryAt } },
        TrafficSwitched e when s.Failover is { } f && f.Epoch == e.Epoch =>
            s with { Routable = f.To, RolesConfirmed = true, Failover = f with { Stage = FailoverStage.RunningHooks } },
        HookEvent e => HookDone(s, e),
        HookStarted e => s with { RunningHooks = s.RunningHooks.Add(e.Hook) },
        HookEnded e => s with { RunningHooks = s.RunningHooks.RemoveAll(h => h.Trigger == e.Hook.Trigger && h.Index == e.Hook.Index && h.Epoch == e.Hook.Epoch) },
        FailoverBlocked e when s.Failover is { Stage: FailoverStage.Fencing } f && f.Epoch == e.Epoch =>
            s with { Failover = f with { Stage = FailoverStage.FenceFailed }, Degraded = true, HoldReason = e.Reason },
        // Back to fencing, for the member.fenced that follows in the same decision.
        FailoverForced e when s.Failover is { Stage: FailoverStage.FenceFailed } f && f.Epoch == e.Epoch =>
            s with { Failover = f with { Stage = FailoverStage.Fencing, FenceFailure = null, Request = e.Request }, Degraded = false, HoldReason = null },
        FailoverCompleted e when s.Failover?.Epoch == e.Epoch => s with { Failover = null, LastFailoverAt = e.Time },
        SwitchoverCompleted e when s.Failover?.Epoch == e.Epoch => s with { Failover = null },
        FailoverFailed e when s.Failover?.Epoch == e.Epoch =>
            s with { Failover = null, LastFailoverAt = e.Time, Routable = null, Degraded = true, HoldReason = e.Reason },
        // A PostgreSQL primary not yet seen writable since a restart gets traffic once it is (member.role), as after any restart;
        // with nothing routable, the roles are read from the servers again, so the primary is routed once it is seen writable.
        SwitchoverFailed e => s with
        {
            Failover = null, Epoch = e.Epoch, Primary = e.Primary, Routable = s.RolesConfirmed ? e.Routable : null,
            RolesConfirmed = s.RolesConfirmed && !(s.IsReplicated && e.Routable is null),
            Degraded = e.Routable is null || s.Degraded, HoldReason = e.Routable is null ? e.Reason : s.HoldReason,
        },
        FailoverHeld e => s with { HoldReason = e.Reason },
        ServiceDegraded e => s with { Degraded = true, HoldReason = e.Reason },
        ServiceRestored => s with { Degraded = false, HoldReason = null },
        RequestCreated e => s with
        {
            Request = new OperatorRequest(e.RequestId, e.Kind, e.From, e.To, e.RequestReason, e.RequestedBy, e.Time, e.ExpiresAt, e.ApprovalsNeeded, [], RequestState.AwaitingApproval, e.Force,
                e.NotBefore is { } start ? new ScheduledWindow(start, e.NotAfter ?? start, e.Window ?? "") : null),
        },
        RequestApproved e when s.Request is { } r && r.Id == e.RequestId => s with { Request = r with { ApprovedBy = r.ApprovedBy.Add(e.ApprovedBy) } },
        RequestExecuting e when s.Request is { } r && r.Id == e.RequestId => s with { Request = r with { State = RequestState.Executing } },
        RequestScheduled e when s.Request is { } r && r.Id == e.RequestId => s with { Request = r with { State = RequestState.Scheduled } },
        RequestRejected e when s.Request?.Id == e.RequestId => s with { Request = null },
        RequestExpired e when s.Request?.Id == e.RequestId => s with { Request = null },
        RequestCompleted e when s.Request?.Id == e.RequestId => s with { Request = null },
        RequestFailed e when s.Request?.Id == e.RequestId => s with { Request = null },
        ServicePaused e => s with { Pause = new PauseInfo(e.Actor, e.PauseReason, e.Time) },
        ServiceResumed => s with { Pause = null },
        MemberRejoined e when e.Member is { } m && s.Members.TryGetValue(m, out MemberState? member) => s.WithMember(member with { NeedsRejoin = false }) with
        {
            Raised = [.. s.Raised.Where(k => !k.StartsWith($"writable:{m}:", StringComparison.Ordinal))],
        },
        MemberDemoted e when e.Member is { } m => s with
        {
            Raised = [.. s.Raised.Where(k => !k.StartsWith($"writable:{m}:", StringComparison.Ordinal))],
            DemoteRetryAfter = e.RetryAfter,
        },
        MemberRole e => s with { RolesConfirmed = true, PrimaryKnown = true, Primary = e.Primary, Routable = e.Primary },
        ConfigMismatch { Primary: { } found } when s.Failover is null => s with { RolesConfirmed = true, PrimaryKnown = true, Primary = found, Routable = found },
        // Decided before it is written, so the state never trusts a standby longer than the server's setting does.
        SyncStandbysChanged e => s with
        {
            SyncStandbys = e.Standbys, SyncConfirmed = e.Standbys.Contains(s.SyncConfirmed ?? "") ? s.SyncConfirmed : null, SyncWrittenAt = null, SyncMark = null,
            SyncChanges = s.SyncChanges + 1,
        },
        SyncStandbysFailed e => s with { SyncStandbys = null, SyncRetryAfter = e.RetryAfter },
        SyncStandbyCaughtUp e when s.SyncStandbys?.Contains(e.Standby) == true => s with { SyncConfirmed = e.Standby, SyncMark = null },
        SyncWritten w => s with { SyncWrittenAt = w.At },
        SyncMarked m => s with { SyncMark = m },
        // The previous leader may have died before writing what it decided: the setting is written again.
        LeaderElected => s with { SyncStandbys = null, SyncWrittenAt = null, SyncMark = null },
        AlertRaised { Once: { } key } => s with { Raised = s.Raised.Add(key) },
        ControllerStarted => Restarted(s),
        ServiceSnapshot e => Snapshots.Restore(s, e),
        _ => s,
    };

    /// <summary>
    /// A service's state from its journal: the fold of its events over the configured start. Member health is
    /// not in the journal (it is re-learned from checks), so a rebuilt state knows nothing of it yet.
    /// </summary>
    /// <param name="error">Set when the journal names a member the config no longer has: folding on would guess.</param>
    public static ServiceState Rebuild(Topology.ServiceSpec spec, IEnumerable<JournalEvent> events, out string? error)
    {
        error = null;
        ServiceState state = ServiceState.Initial(spec);
        foreach (JournalEvent e in events.Where(e => e.Service == spec.Name))
        {
            if (UnknownMember(state, e) is { } missing)
            {
                error = $"the journal's event #{e.Id} ({e.Type} at {e.Time:O}, epoch {e.Epoch}) names member '{missing}', " +
                        $"which service {spec.Name} no longer has in the config; restore the member or start with a new journal";
                return state;
            }
            state = Evolve(state, e);
        }
        return state;
    }

    /// <summary>
    /// A running service under a reloaded config: the same state (epoch, primary, route, requests, what the checks saw of
    /// the members it keeps) under <paramref name="spec"/>, as a restart with that config would fold it, minus the restart.
    /// A member given another address is a new server: nothing seen of the old one carries over. Null, with
    /// <paramref name="refusal"/> set, while a change is under way or when a member removed or readdressed is the primary,
    /// routed, the synchronous standby or named by a request.
    /// </summary>
    public static ServiceState? Reconfigure(ServiceState s, Topology.ServiceSpec spec, out string? refusal)
    {
        refusal = Busy(s);
        var kept = spec.Members.ToDictionary(m => m.Name);
        foreach (string name in s.Members.Keys.Order(StringComparer.Ordinal))
        {
            if (refusal is not null) break;
            Topology.MemberSpec? now = kept.GetValueOrDefault(name);
            if (now is not null && now.Address == s.Spec.Member(name).Address) continue;
            // Removed, or another server under the same name: what was seen of it (health, role, lag) is not the new one's.
            if (Role(s, name) is { } role)
                refusal = $"member {name} is {role}; it can be {(now is null ? "removed" : "given another address")} once it is not";
        }
        if (refusal is not null) return null;
        return s with
        {
            Spec = spec,
            Members = spec.Members.ToImmutableDictionary(m => m.Name, m =>
                s.Members.TryGetValue(m.Name, out MemberState? known) && s.Spec.Member(m.Name).Address == m.Address ? known : MemberState.Initial(m.Name)),
        };
    }

    /// <summary>Why the service cannot be reconfigured or removed now (a change, a hook or a veto under way); null when it can.</summary>
    public static string? Busy(ServiceState s) => s switch
    {
        { Failover: { } f } => $"a {(f.Kind == RequestKind.Switchover ? "switchover" : "failover")} {f.From} → {f.To} (epoch {f.Epoch}) is under way; reload once it has ended",
        { PendingVeto: { } v } => $"a veto hook is deciding on {v.From} → {v.To}; reload once it has answered",
        { RunningHooks.IsEmpty: false } => $"{s.RunningHooks.Length} hook{(s.RunningHooks.Length == 1 ? " is" : "s are")} still running; reload once they have ended",
        _ => null,
    };

    private static string? Role(ServiceState s, string member) =>
        member == s.Primary ? "the primary"
        : member == s.Routable ? "where traffic goes"
        : member == s.SyncConfirmed || s.SyncStandbys?.Contains(member) == true ? "the synchronous standby"
        : s.Request is { } r && (r.From == member || r.To == member) ? $"named by request {r.Id}"
        : null;

    /// <summary>The member a state-changing event names that the config lacks; such an event cannot be folded.</summary>
    public static string? UnknownMember(ServiceState s, JournalEvent e)
    {
        IEnumerable<string?> named = e switch
        {
            FailoverStarted f => [f.From, f.To],
            SwitchoverStarted w => [w.From, w.To],
            SwitchoverFailed w => [w.Primary, w.Routable],
            MemberRole r => [r.Primary],
            ConfigMismatch c => [c.Primary],
            ServiceSnapshot x => [x.Primary, x.Routable, x.Change?.From, x.Change?.To, .. x.NeedsRejoin],
            _ => [],
        };
        return named.OfType<string>().FirstOrDefault(m => !s.Members.ContainsKey(m));
    }

    /// <summary>A hook ended: it no longer runs, it counts toward the running list's end, and a fence hook toward the fence's outcome.</summary>
    private static ServiceState HookDone(ServiceState s, HookEvent e)
    {
        s = s with { RunningHooks = s.RunningHooks.RemoveAll(h => h.Trigger == e.Trigger && h.Index == e.Index && h.Epoch == e.Epoch) };
        return s.Failover switch
        {
            { Stage: FailoverStage.RunningHooks } f when f.Epoch == e.Epoch && e.Trigger == f.Hooks.ConfigKey() =>
                s with { Failover = f with { HooksFinished = f.HooksFinished + 1 } },
            { Stage: FailoverStage.Fencing } f when f.Epoch == e.Epoch && e.Trigger == HookTrigger.Fence.ConfigKey() =>
                s with { Failover = f with { FenceFailure = FenceFailure(f, e) } },
            _ => s,
        };
    }

    /// <summary>The fence list always runs whole from its first hook (a restart runs it again), so that hook's outcome starts the tally anew.</summary>
    private static string? FenceFailure(FailoverProgress f, HookEvent e)
    {
        string? earlier = e.Index == 0 ? null : f.FenceFailure;
        if (e is not HookFailed { Required: true }) return earlier;
        return earlier is null ? e.Reason : $"{earlier}; {e.Reason}";
    }

    /// <remarks>A failed check keeps the very observation it had (<see cref="ReplicationRules.Read"/>), so a view restored at the start stays marked as such until a check sees the server.</remarks>
    private static ServiceState Observed(ServiceState s, MemberObserved o)
    {
        MemberState member = s.Members[o.Member];
        return s.WithMember(member with
        {
            Tracker = o.Tracker, Suspected = o.Suspected, LastDetail = o.Detail, Replication = o.Replication, ReplicationRestored = member.ReplicationRestored && ReferenceEquals(o.Replication, member.Replication),
        });
    }

    /// <summary>Promotion is verified by the executor (out of recovery), so the switch needs no extra check round.</summary>
    private static ServiceState Promoted(ServiceState s, FailoverProgress f)
    {
        MemberState promoted = s.Members[f.To];
        return s.WithMember(promoted with { Replication = (promoted.Replication ?? Detection.ReplicationView.Primary(0)) with { InRecovery = false } })
            with { Failover = f with { Stage = FailoverStage.AwaitingTarget } };
    }

    /// <summary>
    /// PostgreSQL and Redis roles are re-read from the servers after a restart: nothing is routed until the journal's
    /// primary is seen writable, and a failover cut off after its switch switches again once the new primary is.
    /// </summary>
    private static ServiceState Restarted(ServiceState s)
    {
        if (!s.IsReplicated) return s;
        // The previous controller may have died before writing what it decided: the setting is written again.
        s = s with { SyncStandbys = null };
        s = s with { Routable = null, RolesConfirmed = false };
        return s.Failover is { Stage: FailoverStage.RunningHooks } f ? s with { Failover = f with { Stage = FailoverStage.AwaitingTarget } } : s;
    }
}
