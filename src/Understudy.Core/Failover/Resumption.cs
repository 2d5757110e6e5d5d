using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// A controller that takes over — restarted, or newly elected leader of a cluster — has the state folded from
/// the journal and carries on with a change left half-done, never repeating what was journaled as finished.
/// </summary>
internal static class Resumption
{
    public static void OnRestart(DecisionBuilder d, StateRebuilt r)
    {
        d.Emit(new ControllerStarted(r.Version, r.Pid)
        {
            Reason = $"controller {r.Version} (pid {r.Pid}) started at epoch {d.State.Epoch} with {d.State.Primary} as primary",
        });
        Resume(d, new Handover("the previous controller", "the controller restarted", "restart"));
    }

    /// <summary>Unlike a restart, routing is kept: every instance's proxy follows the same log, and the primary's role was confirmed by it.</summary>
    public static void OnLeadership(DecisionBuilder d, LeadershipGained l)
    {
        d.Emit(new LeaderElected(l.Instance, l.Term)
        {
            Reason = $"{l.Instance} leads {d.State.Name} from epoch {d.State.Epoch} with {d.State.Primary} as primary (leader term {l.Term})",
        });
        Resume(d, new Handover("the previous leader", "the leader changed", "leader change"));
    }

    /// <summary>
    /// Fencing and promotion are idempotent and repeated (a server already out of recovery counts as promoted);
    /// hooks journaled as finished are not run again, the others are (a hook cut off mid-run runs again, once the
    /// copy the previous controller left running is ended). A failover stopped at a failed fence is not retried.
    /// </summary>
    private static void Resume(DecisionBuilder d, Handover h)
    {
        // Ended first, so that no hook runs beside its own re-run (the executor runs a plan's steps in order).
        if (!d.State.RunningHooks.IsEmpty) d.Do(new EndStaleHooks(d.State.RunningHooks, d.State.Epoch));
        if (d.State.PendingVeto is { } asked)
        {
            // The answer was lost with the previous controller: the hooks are asked again (asking is harmless).
            d.Emit(new FailoverResumed { Member = asked.To, Reason = $"asking the veto hooks again about the {asked.Kind.Text()} to {asked.To}, as {h.Previous} never heard their answer" });
            d.Do(new AskVeto(asked.Kind, asked.From, asked.To, d.State.Epoch, asked.Request));
            return;
        }
        if (d.State.Failover is not { } f) return;
        int hooks = d.State.Spec.Hooks.Of(f.Hooks).Count;
        switch (f.Stage)
        {
            case FailoverStage.Draining:
                // Nothing has changed hands during a drain: giving traffic back to the primary is safe and simple.
                SwitchoverRules.Abandon(d, f, $"{h.What} while draining {f.From}");
                break;
            case FailoverStage.Fencing:
                d.Emit(new FailoverResumed { Member = f.To, Reason = $"resuming the {f.Word} to {f.To} left half-done by {h.Previous}: fencing {f.From} again" });
                d.Do(new FenceMember(f.From, f.To, f.Epoch, Planned: f.IsSwitchover));
                break;
            case FailoverStage.FenceFailed:
                d.Emit(new FailoverResumed
                {
                    Member = f.To,
                    Reason = $"the failover to {f.To} stays stopped at its failed fence ({f.FenceFailure}): {f.From} is not known to be fenced; it waits for an operator to force it",
                });
                break;
            case FailoverStage.Stopping:
                // The stop may or may not have happened: stopping again is harmless, and reports the checkpoint of a clean stop.
                d.Emit(new FailoverResumed { Member = f.From, Reason = $"resuming the switchover to {f.To} left half-done by {h.Previous}: stopping {f.From} cleanly (again)" });
                d.Do(new StopMember(f.From, f.Epoch));
                break;
            case FailoverStage.CatchingUp:
                d.Emit(new FailoverResumed
                {
                    Member = f.To, Reason = $"resuming the switchover to {f.To}: {f.From} is stopped; waiting for {f.To} to replay past {ReplicationView.Lsn(f.CheckpointLsn)}",
                });
                d.Do(new AwaitReplay(f.To, f.CheckpointLsn ?? long.MaxValue, f.Epoch)); // unknown: never reached, so the old primary gets its traffic back
                break;
            case FailoverStage.GivingBack:
                d.Emit(new FailoverResumed { Member = f.From, Reason = $"resuming the called-off switchover to {f.To}: starting {f.From} again (unless it runs) to give it its traffic back" });
                d.Do(new StartMember(f.From, f.Epoch));
                break;
            case FailoverStage.Promoting:
                d.Emit(new FailoverResumed { Member = f.To, Reason = $"resuming the {f.Word} to {f.To}: {f.From} is {(f.IsSwitchover ? "stopped" : "fenced")}; promoting {f.To} unless it already left recovery" });
                d.Do(new PromoteMember(f.To, f.Epoch));
                break;
            case FailoverStage.AwaitingTarget:
                d.Emit(new FailoverResumed
                {
                    Member = f.To,
                    Reason = $"resuming the {f.Word} to {f.To}: {f.From} is {(f.IsSwitchover ? "drained" : "fenced")}; traffic switches once {f.To} passes a check",
                });
                break;
            case FailoverStage.Switching:
                // A switch cut off half-way may have moved some of HAProxy, DNS and the hooks: all of them are switched again (each is idempotent).
                d.Emit(new TrafficSwitching(f.SwitchAttempts + 1)
                {
                    Member = f.To, Reason = $"resuming the {f.Word} to {f.To}: switching traffic to it again after the {h.Noun}, attempt {f.SwitchAttempts + 1}",
                });
                d.Do(new SwitchTraffic(f.From, f.To, f.Epoch));
                break;
            case FailoverStage.RunningHooks when f.HooksFinished >= hooks:
                FailoverRules.Complete(d, f, $"{f.Word} from {f.From} to {f.To} completed in epoch {f.Epoch} (every hook had run before the {h.Noun})");
                break;
            case FailoverStage.RunningHooks:
                d.Emit(new FailoverResumed
                {
                    Member = f.To,
                    Reason = $"resuming the {f.Word} to {f.To} after the traffic switch: running {f.Hooks.ConfigKey()} hooks {f.HooksFinished + 1} to {hooks} (a hook cut off by the {h.Noun} runs again)",
                });
                d.Do(new RunHooks(f.Hooks, f.From, f.To, f.Epoch, f.HooksFinished));
                break;
        }
    }

    /// <summary>How the sentences name the takeover: who left the change, what happened, and its noun.</summary>
    private sealed record Handover(string Previous, string What, string Noun);
}
