using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>An unplanned change of primary: fence → (promote) → switch → hooks → completed, each step's outcome handed back in.</summary>
internal static class FailoverRules
{
    /// <summary>
    /// Advances the epoch and names the new primary before anything is touched; the old primary is
    /// marked for rejoin, so no later automatic decision gives it traffic back (rule 2).
    /// </summary>
    public static void Start(DecisionBuilder d, MemberState next, OperatorRequest? request = null, string? reason = null)
    {
        string from = d.State.Primary;
        long epoch = d.State.Epoch + 1;
        d.Emit(request is null
            ? new FailoverStarted(from, next.Name)
            {
                Epoch = epoch, Member = next.Name,
                Reason = reason ?? $"primary {from} is down; failing over to {next.Name}, the first healthy candidate",
            }
            : new FailoverStarted(from, next.Name, request.Id)
            {
                Epoch = epoch, Member = next.Name, Actor = request.RequestedBy,
                Reason = $"primary {from} is down; failing over to {next.Name} as {request.RequestedBy} requested (request {request.Id})",
            });
        d.Do(new FenceMember(from, next.Name, epoch));
    }

    /// <summary>
    /// An approved forced PostgreSQL failover past the lag rules: journaled and alerted as the operator accepting that
    /// acknowledged writes the target never received are lost, then carried out as any failover.
    /// </summary>
    public static void StartForced(DecisionBuilder d, MemberState next, OperatorRequest request)
    {
        string risk = ChangeChecks.LagRisk(d.State, next.Name);
        string reason = $"{request.RequestedBy} forced the failover from {d.State.Primary} to {next.Name} although {risk} (request {request.Id}{request.ApprovedByText}: {request.Reason}), " +
                        $"accepting that writes {d.State.Primary} acknowledged and {next.Name} never received are lost";
        d.Emit(new FailoverForced(d.State.Primary, next.Name, risk, request.Id) { Member = next.Name, Actor = request.RequestedBy, Reason = reason });
        d.Alert("warning", $"{d.State.Name}: {reason}", next.Name);
        Start(d, next, request);
    }

    public static void OnStepCompleted(DecisionBuilder d, StepCompleted done)
    {
        if (done.Step is EndStaleHooks)
        {
            d.Quiet = $"hooks left running before the takeover dealt with: {done.Detail}"; // each one is journaled as hook.ended
            return;
        }
        if (done.Step is DemoteMember demote)
        {
            ReplicationRules.Demoted(d, demote, done);
            return;
        }
        if (done.Step is SetSynchronousStandbys steady && d.State.Failover is null && steady.Epoch == d.State.Epoch)
        {
            SynchronousRules.SyncStepDone(d, steady, done);
            return;
        }
        if (done.Step is AskVeto ask)
        {
            VetoRules.Answered(d, ask, done);
            return;
        }
        if (done.Step is FollowPrimary follow)
        {
            SwitchoverRules.Followed(d, follow, done);
            return;
        }
        if (d.State.Failover is not { } f || done.Step.Epoch != f.Epoch)
        {
            d.Quiet = $"ignored the outcome of {done.Step.GetType().Name} for epoch {done.Step.Epoch}: no failover of that epoch is under way";
            return;
        }
        switch (done.Step)
        {
            case DrainMember when f.Stage == FailoverStage.Draining:
                SwitchoverRules.Drained(d, f, done.Detail);
                break;
            case StopMember when f.Stage == FailoverStage.Stopping:
                SwitchoverRules.Stopped(d, f, done);
                break;
            case AwaitReplay when f.Stage == FailoverStage.CatchingUp:
                SwitchoverRules.CaughtUp(d, f, done);
                break;
            case StartMember when f.Stage == FailoverStage.GivingBack:
                SwitchoverRules.GivenBack(d, f, done);
                break;
            case FenceMember fence when f.Stage == FailoverStage.Fencing:
                FenceRules.Fenced(d, f, fence, done);
                break;
            case PromoteMember promote when f.Stage == FailoverStage.Promoting:
                if (!done.Succeeded)
                {
                    Fail(d, f, $"promoting {promote.Member} failed ({done.Detail}); {f.From} stays fenced and nothing is routable");
                    break;
                }
                d.Emit(new MemberPromoted(done.Detail) { Member = f.To, Reason = $"{f.To} {(d.State.IsPostgres ? "left recovery" : "is a primary")} and accepts writes ({done.Detail})" });
                SynchronousRules.SyncAfterPromotion(d, f.To);
                break;
            case RepointStandbys repoint:
                d.Emit(new StandbysRepointed(repoint.Standbys, done.Succeeded)
                {
                    Member = f.To,
                    Reason = done.Succeeded
                        ? $"{string.Join(", ", repoint.Standbys)} now replicate from {f.To}"
                        : $"re-pointing {string.Join(", ", repoint.Standbys)} at {f.To} did not fully work: {done.Detail}",
                });
                if (!done.Succeeded) d.Alert("critical", $"{d.State.Name}: standbys not all re-pointed at {f.To}: {done.Detail}", f.To);
                break;
            case SetSynchronousStandbys sync:
                SynchronousRules.SyncStepDone(d, sync, done);
                break;
            case SwitchTraffic sw when f.Stage == FailoverStage.Switching && f.SwitchRetryAt is null && sw.To == f.To:
                SwitchDone(d, f, done);
                break;
            case RunHooks when f.Stage == FailoverStage.RunningHooks:
                Complete(d, f, $"{f.Word} from {f.From} to {f.To} completed in epoch {f.Epoch}");
                break;
            default:
                d.Quiet = $"ignored an unexpected {done.Step.GetType().Name} during stage {f.Stage}";
                break;
        }
    }

    /// <summary>
    /// Fenced: traffic goes to the new primary only once it is seen up. Live it already is; after a
    /// restart its health is re-learned first, so a member that died meanwhile never gets traffic.
    /// A failover's target seen down (a loaded host's checks flap) gets until the proxy's hold from the start of the
    /// failover to come back: clients are held that long anyway, and failing at once left a promoted, healthy target
    /// with no traffic until a person acted (the Redis crash bench, on a host at load 25).
    /// </summary>
    public static void Continue(DecisionBuilder d)
    {
        if (d.State.Failover is { Stage: FailoverStage.Switching } switching)
        {
            // As while awaiting the target: one that goes down gets until the proxy's hold to come back, then the change fails
            // (retrying switches towards a dead member would hold clients, and block any other change, for ever).
            TimeSpan hold = d.State.Spec.Proxy?.Hold ?? TimeSpan.Zero;
            if (d.State.Members[switching.To].Health == Health.Down && d.Now >= switching.StartedAt + hold)
                Fail(d, switching, $"{switching.To} went down while traffic was being switched to it" + (switching.IsSwitchover ? "" : $"; {switching.From} stays fenced and nothing is routable"));
            else if (switching.SwitchRetryAt is { } retryAt && d.Now >= retryAt)
                StartSwitching(d, switching, switching.SwitchAttempts + 1);
            return;
        }
        if (d.State.Failover is not { Stage: FailoverStage.AwaitingTarget } f) return;
        TimeSpan grace = d.State.Spec.Proxy?.Hold ?? TimeSpan.Zero;
        switch (d.State.Members[f.To].Health)
        {
            case Health.Down when !f.IsSwitchover && d.Now < f.StartedAt + grace:
                d.Quiet = $"{f.From} is fenced and {f.To} is down; waiting until {f.StartedAt + grace:O} for it to come back before the failover fails";
                break;
            case Health.Up when !d.State.IsReplicated || d.State.Members[f.To].Replication is { InRecovery: false }:
                MoveTraffic(d, f);
                break;
            case Health.Up:
                d.Quiet = $"{f.From} is fenced; waiting for {f.To} to be seen out of recovery";
                break;
            case Health.Down:
                Fail(d, f, f.IsSwitchover ? $"{f.To} went down before traffic was switched to it"
                                          : $"{f.To} went down before traffic was switched to it; {f.From} stays fenced and nothing is routable");
                break;
            default:
                d.Quiet = $"{f.From} is fenced; waiting for {f.To}'s first check before giving it traffic";
                break;
        }
    }

    /// <summary>
    /// For the built-in proxy the switch is the state change itself: the route follows <see cref="ServiceState.Routable"/>.
    /// HAProxy, DNS and traffic hooks are switched first, as one step; the proxy keeps holding until they have.
    /// </summary>
    private static void MoveTraffic(DecisionBuilder d, FailoverProgress f)
    {
        if (d.State.Spec.TrafficSwitches.Any)
        {
            StartSwitching(d, f, 1);
            return;
        }
        Switched(d, f, $"traffic now goes to {f.To} (epoch {f.Epoch})");
    }

    private static void StartSwitching(DecisionBuilder d, FailoverProgress f, int attempt)
    {
        d.Emit(new TrafficSwitching(attempt)
        {
            Member = f.To,
            Reason = attempt == 1
                ? $"{f.To} is ready; switching {SwitchNames(d.State.Spec.TrafficSwitches)} to it (epoch {f.Epoch})"
                : $"switching {SwitchNames(d.State.Spec.TrafficSwitches)} to {f.To} again, attempt {attempt} (epoch {f.Epoch})",
        });
        d.Do(new SwitchTraffic(f.From, f.To, f.Epoch));
    }

    private static string SwitchNames(Topology.TrafficSwitchesSpec s) => string.Join(", ", new[]
    {
        s.Haproxy.IsEmpty ? null : s.Haproxy.Length == 1 ? "HAProxy" : $"{s.Haproxy.Length} HAProxy instances",
        s.Dns is { } dns ? $"DNS {dns.Name}" : null,
        s.Hooks.IsEmpty ? null : s.Hooks.Length == 1 ? "the traffic hook" : $"{s.Hooks.Length} traffic hooks",
    }.OfType<string>());

    /// <summary>
    /// A failed switch is tried again with backoff (1 s doubling to 30 s) and alerted, never given up: the old primary is
    /// fenced and the new one promoted, so going back is no longer safe, and every switch only ever points at the new primary.
    /// </summary>
    private static void SwitchDone(DecisionBuilder d, FailoverProgress f, StepCompleted done)
    {
        if (done.Succeeded)
        {
            Switched(d, f, $"traffic now goes to {f.To} (epoch {f.Epoch}): {done.Detail}");
            return;
        }
        int attempt = f.SwitchAttempts;
        DateTimeOffset retryAt = d.Now + SwitchBackoff(attempt);
        d.Emit(new TrafficSwitchFailed(attempt, retryAt)
        {
            Member = f.To,
            Reason = $"switching traffic to {f.To} failed (attempt {attempt}): {done.Detail}; trying again at {retryAt:O}, clients are held meanwhile",
        });
        // The first failure and every tenth after it: a switch that stays broken is retried every 30 s, and one page per try would bury it.
        if (attempt % 10 == 1) d.Alert("critical", $"{d.State.Name}: switching traffic to {f.To} failed (attempt {attempt}): {done.Detail}; clients are held", f.To);
    }

    public static TimeSpan SwitchBackoff(int attempt) => TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(attempt, 6) - 1)));

    private static void Switched(DecisionBuilder d, FailoverProgress f, string reason)
    {
        d.Emit(new TrafficSwitched { Member = f.To, Reason = reason });
        FailoverProgress running = d.State.Failover!;
        if (d.State.IsReplicated)
            ReplicationRules.AfterSwitch(d, running);
        else if (d.State.Spec.Hooks.Of(f.Hooks).Count == 0)
            Complete(d, running, $"{f.Word} from {f.From} to {f.To} completed in epoch {f.Epoch}");
        else
            d.Do(new RunHooks(f.Hooks, f.From, f.To, f.Epoch, running.HooksFinished));
    }

    /// <summary>A switchover is planned: it starts no cooldown and alerts only for information.</summary>
    public static void Complete(DecisionBuilder d, FailoverProgress f, string reason)
    {
        long duration = (long)(d.Now - f.StartedAt).TotalMilliseconds;
        d.Emit(f.IsSwitchover
            ? new SwitchoverCompleted(f.From, f.To, duration, f.Request) { Member = f.To, Reason = reason }
            : new FailoverCompleted(f.From, f.To, duration, f.Request) { Member = f.To, Reason = reason });
        RequestRules.Finish(d, f, true, reason);
        if (f.IsSwitchover) d.Alert("info", $"{d.State.Name} switched over from {f.From} to {f.To} (epoch {f.Epoch})", f.To);
        else d.Alert("warning", $"{d.State.Name} failed over from {f.From} to {f.To} (epoch {f.Epoch})", f.To);
    }

    /// <summary>Nothing is routable after a failed failover: an operator decides (no retry loop against a half-fenced member).</summary>
    public static void Fail(DecisionBuilder d, FailoverProgress f, string reason)
    {
        if (f.IsSwitchover)
        {
            SwitchoverRules.Failed(d, f, reason);
            return;
        }
        d.Emit(new FailoverFailed(f.From, f.To, f.Request) { Member = f.To, Reason = reason });
        RequestRules.Finish(d, f, false, reason);
        d.Alert("critical", $"{d.State.Name}: {reason}", f.To);
    }
}
