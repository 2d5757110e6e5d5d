using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

public static partial class Decider
{
    /// <summary>
    /// Advances the epoch and names the new primary before anything is touched; the old primary is
    /// marked for rejoin, so no later automatic decision gives it traffic back (rule 2).
    /// </summary>
    private static void StartFailover(Outcome o, MemberState next, OperatorRequest? request = null)
    {
        ServiceState s = o.State;
        string from = s.Primary;
        long epoch = s.Epoch + 1;
        o.State = s.WithMember(s.Members[from] with { NeedsRejoin = true, Suspected = false }) with
        {
            Epoch = epoch,
            Primary = next.Name,
            Routable = null,
            Failover = new FailoverProgress(from, next.Name, epoch, o.Now, FailoverStage.Fencing, Request: request?.Id),
            HoldReason = null,
            Degraded = false,
        };
        if (request is null)
            o.Event(EventTypes.FailoverStarted, next.Name,
                $"primary {from} is down; failing over to {next.Name}, the first healthy candidate",
                ("from", from), ("to", next.Name));
        else
            o.EventBy(request.RequestedBy, EventTypes.FailoverStarted, next.Name,
                $"primary {from} is down; failing over to {next.Name} as {request.RequestedBy} requested (request {request.Id})",
                ("from", from), ("to", next.Name), ("request", request.Id));
        o.Do(new FenceMember(from, epoch));
    }

    private static void OnStepCompleted(Outcome o, StepCompleted done)
    {
        if (done.Step is SetSynchronousStandbys steady && o.State.Failover is null && steady.Epoch == o.State.Epoch)
        {
            SyncStepDone(o, steady, done);
            return;
        }
        if (o.State.Failover is not { } f || done.Step.Epoch != f.Epoch)
        {
            o.Quiet = $"ignored the outcome of {done.Step.GetType().Name} for epoch {done.Step.Epoch}: no failover of that epoch is under way";
            return;
        }
        switch (done.Step)
        {
            case DrainMember when f.Stage == FailoverStage.Draining:
                SwitchoverDrained(o, f, done.Detail);
                break;
            case FenceMember fence when f.Stage == FailoverStage.Fencing:
                if (!done.Succeeded)
                {
                    Fail(o, f, $"fencing {fence.Member} failed ({done.Detail}); {f.To} was not given traffic");
                    break;
                }
                o.Event(EventTypes.MemberFenced, fence.Member, $"{fence.Member} no longer receives traffic ({done.Detail})");
                if (o.State.IsPostgres)
                {
                    o.State = o.State with { Failover = f with { Stage = FailoverStage.Promoting } };
                    o.Do(new PromoteMember(f.To, f.Epoch));
                    break;
                }
                o.State = o.State with { Failover = f with { Stage = FailoverStage.AwaitingTarget } };
                break; // Evaluate continues it: the switch waits for the new primary to be seen up.
            case PromoteMember promote when f.Stage == FailoverStage.Promoting:
                if (!done.Succeeded)
                {
                    Fail(o, f, $"promoting {promote.Member} failed ({done.Detail}); {f.From} stays fenced and nothing is routable");
                    break;
                }
                // Promotion is verified by the executor (out of recovery), so the switch needs no extra check round.
                MemberState promoted = o.State.Members[f.To];
                o.State = o.State.WithMember(promoted with { Pg = (promoted.Pg ?? PgObservation.Primary(0)) with { InRecovery = false } })
                    with { Failover = f with { Stage = FailoverStage.AwaitingTarget } };
                o.Event(EventTypes.MemberPromoted, f.To, $"{f.To} left recovery and accepts writes ({done.Detail})");
                SyncAfterPromotion(o, f.To);
                break;
            case RepointStandbys repoint:
                o.Event(EventTypes.StandbysRepointed, f.To, done.Succeeded
                    ? $"{string.Join(", ", repoint.Standbys)} now replicate from {f.To}"
                    : $"re-pointing {string.Join(", ", repoint.Standbys)} at {f.To} did not fully work: {done.Detail}");
                if (!done.Succeeded) o.Alert("warning", $"{o.State.Name}: standbys not all re-pointed at {f.To}: {done.Detail}", f.To);
                break;
            case SetSynchronousStandbys sync:
                SyncStepDone(o, sync, done);
                break;
            case RunHooks when f.Stage == FailoverStage.RunningHooks:
                Complete(o, f, $"{f.Word} from {f.From} to {f.To} completed in epoch {f.Epoch}");
                break;
            default:
                o.Quiet = $"ignored an unexpected {done.Step.GetType().Name} during stage {f.Stage}";
                break;
        }
    }

    private static readonly TimeSpan SyncRetry = TimeSpan.FromSeconds(5);

    /// <summary>A failed write of synchronous_standby_names is retried after a pause: the set becomes unknown, so it is set again.</summary>
    private static void SyncStepDone(Outcome o, SetSynchronousStandbys sync, StepCompleted done)
    {
        if (done.Succeeded) return;
        o.State = o.State with { SyncStandbys = null, SyncRetryAfter = o.Now + SyncRetry };
        RaiseOnce(o, $"sync-failed:{sync.Primary}:{o.State.Epoch}", EventTypes.SyncStandbysChanged, sync.Primary,
            $"setting synchronous_standby_names on {sync.Primary} failed ({done.Detail}); retrying every {SyncRetry.TotalSeconds:0} s");
    }

    /// <summary>
    /// Fenced: traffic goes to the new primary only once it is seen up. Live it already is; after a
    /// restart its health is re-learned first, so a member that died meanwhile never gets traffic.
    /// </summary>
    private static void ContinueFailover(Outcome o)
    {
        if (o.State.Failover is not { Stage: FailoverStage.AwaitingTarget } f) return;
        switch (o.State.Members[f.To].Health)
        {
            case Detection.Health.Up when !o.State.IsPostgres || o.State.Members[f.To].Pg is { InRecovery: false }:
                SwitchTraffic(o, f);
                break;
            case Detection.Health.Up:
                o.Quiet = $"{f.From} is fenced; waiting for {f.To} to be seen out of recovery";
                break;
            case Detection.Health.Down:
                Fail(o, f, f.IsSwitchover ? $"{f.To} went down before traffic was switched to it"
                                          : $"{f.To} went down before traffic was switched to it; {f.From} stays fenced and nothing is routable");
                break;
            default:
                o.Quiet = $"{f.From} is fenced; waiting for {f.To}'s first check before giving it traffic";
                break;
        }
    }

    /// <summary>For the built-in proxy the switch is the state change itself: the route follows <see cref="ServiceState.Routable"/>.</summary>
    private static void SwitchTraffic(Outcome o, FailoverProgress f)
    {
        var running = f with { Stage = FailoverStage.RunningHooks };
        o.State = o.State with { Routable = f.To, Failover = running, RolesConfirmed = true };
        o.Event(EventTypes.TrafficSwitched, f.To, $"traffic now goes to {f.To} (epoch {f.Epoch})");
        if (o.State.IsPostgres)
            PostgresAfterSwitch(o, running);
        else if (o.State.Spec.Hooks.Of(f.Hooks).Count == 0)
            Complete(o, running, $"{f.Word} from {f.From} to {f.To} completed in epoch {f.Epoch}");
        else
            o.Do(new RunHooks(f.Hooks, f.From, f.To, f.Epoch, f.HooksFinished));
    }

    /// <summary>A switchover is planned: it starts no cooldown and alerts only for information.</summary>
    private static void Complete(Outcome o, FailoverProgress f, string reason)
    {
        o.State = o.State with { Failover = null, LastFailoverAt = f.IsSwitchover ? o.State.LastFailoverAt : o.Now };
        o.Event(f.IsSwitchover ? EventTypes.SwitchoverCompleted : EventTypes.FailoverCompleted, f.To, reason, ("from", f.From), ("to", f.To),
            ("duration_ms", (long)(o.Now - f.StartedAt).TotalMilliseconds), ("request", f.Request));
        FinishRequest(o, f, true, reason);
        if (f.IsSwitchover) o.Alert("info", $"{o.State.Name} switched over from {f.From} to {f.To} (epoch {f.Epoch})", f.To);
        else o.Alert("warning", $"{o.State.Name} failed over from {f.From} to {f.To} (epoch {f.Epoch})", f.To);
    }

    /// <summary>Nothing is routable after a failed failover: an operator decides (no retry loop against a half-fenced member).</summary>
    private static void Fail(Outcome o, FailoverProgress f, string reason)
    {
        if (f.IsSwitchover)
        {
            SwitchoverFailed(o, f, reason);
            return;
        }
        o.State = o.State with { Failover = null, LastFailoverAt = o.Now, Degraded = true, HoldReason = reason, Routable = null };
        o.Event(EventTypes.FailoverFailed, f.To, reason, ("from", f.From), ("to", f.To), ("request", f.Request));
        FinishRequest(o, f, false, reason);
        o.Alert("critical", $"{o.State.Name}: {reason}", f.To);
    }

    /// <summary>
    /// Resumes a failover the previous controller left half-done. Fencing is idempotent and repeated;
    /// hooks journaled as finished are not run again, the others are (a hook cut off mid-run runs again).
    /// </summary>
    private static void OnControllerStarted(Outcome o)
    {
        if (o.State.Failover is not { } f)
        {
            o.Quiet = $"started at epoch {o.State.Epoch} with {o.State.Primary} as primary";
            return;
        }
        int hooks = o.State.Spec.Hooks.Of(f.Hooks).Count;
        switch (f.Stage)
        {
            case FailoverStage.Draining:
                // Nothing has changed hands during a drain: giving traffic back to the primary is safe and simple.
                AbandonDrain(o, f, $"the controller restarted while draining {f.From}");
                break;
            case FailoverStage.Fencing:
                o.Event(EventTypes.FailoverResumed, f.To, $"resuming the failover to {f.To} left half-done by the previous controller: fencing {f.From} again");
                o.Do(new FenceMember(f.From, f.Epoch));
                break;
            case FailoverStage.Promoting:
                // Promotion is idempotent: a server already out of recovery counts as promoted, nothing is done twice.
                o.Event(EventTypes.FailoverResumed, f.To, $"resuming the failover to {f.To}: {f.From} is fenced; promoting {f.To} unless it already left recovery");
                o.Do(new PromoteMember(f.To, f.Epoch));
                break;
            case FailoverStage.AwaitingTarget:
                o.Event(EventTypes.FailoverResumed, f.To, $"resuming the {f.Word} to {f.To}: {f.From} is {(f.IsSwitchover ? "drained" : "fenced")}; traffic switches once {f.To} passes a check");
                break;
            case FailoverStage.RunningHooks when f.HooksFinished >= hooks:
                Complete(o, f, $"{f.Word} from {f.From} to {f.To} completed in epoch {f.Epoch} (every hook had run before the restart)");
                break;
            case FailoverStage.RunningHooks:
                o.Event(EventTypes.FailoverResumed, f.To,
                    $"resuming the {f.Word} to {f.To} after the traffic switch: running {f.Hooks.ConfigKey()} hooks {f.HooksFinished + 1} to {hooks} (a hook cut off by the restart runs again)");
                o.Do(new RunHooks(f.Hooks, f.From, f.To, f.Epoch, f.HooksFinished));
                break;
        }
    }
}

public static partial class Decider
{
    /// <summary>
    /// A member failed over from is a candidate again only after an operator rejoined it (rule 2), and only
    /// if the rejoin was to the primary of the current epoch: one finished after another failover follows an
    /// old primary.
    /// </summary>
    private static void OnRejoined(Outcome o, MemberRejoined r)
    {
        ServiceState s = o.State;
        if (!s.Members.TryGetValue(r.Member, out MemberState? m) || !m.NeedsRejoin || r.Member == s.Primary)
        {
            o.Quiet = $"{r.Member} is not marked for rejoin; nothing to clear";
            return;
        }
        if (r.Epoch != s.Epoch || r.Primary != s.Primary)
        {
            o.EventBy(r.Actor, EventTypes.RejoinFailed, r.Member,
                $"{r.Member} was rejoined to {r.Primary} (epoch {r.Epoch}) but the primary is now {s.Primary} (epoch {s.Epoch}); it stays out: rejoin it again");
            return;
        }
        o.State = s.WithMember(m with { NeedsRejoin = false }) with { Raised = s.Raised.Where(k => !k.StartsWith($"writable:{r.Member}:", StringComparison.Ordinal)).ToImmutableHashSet() };
        o.EventBy(r.Actor, EventTypes.MemberRejoined, r.Member, $"{r.Member} was rejoined as a standby of {s.Primary} by {r.Actor}; it may be promoted again");
    }
}
