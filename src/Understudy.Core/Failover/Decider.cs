using System.Diagnostics;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// The failover rules as a pure function: state + input + the current instant → decision. It reads no
/// clock and does no I/O, so every rule in DESIGN.md is tested step by step and by seeded random runs. The
/// rules live in small classes by concern (<see cref="CheckRules"/>, <see cref="FailoverRules"/>,
/// <see cref="QuorumRules"/>, <see cref="SwitchoverRules"/>, <see cref="FenceRules"/>, <see cref="HookRules"/>, <see cref="ReplicationRules"/>, <see cref="RequestRules"/>,
/// <see cref="OperatorRules"/>); each emits events that <see cref="ServiceFold.Evolve"/> folds into the state.
/// </summary>
public static class Decider
{
    public static Decision Decide(ServiceState state, Input input, DateTimeOffset now)
    {
        var d = new DecisionBuilder(state, now);
        switch (input)
        {
            case CheckObserved c: CheckRules.OnCheck(d, c.Result); break;
            case PeersObserved p: d.Observe(new PeersSeen(p.Views)); break;
            case StepCompleted s: FailoverRules.OnStepCompleted(d, s); break;
            case HookFinished h: HookRules.OnFinished(d, h); break;
            case HookLaunched l: HookRules.OnLaunched(d, l); break;
            case StaleHookEnded e: HookRules.OnStaleEnded(d, e); break;
            case StateRebuilt r: Resumption.OnRestart(d, r); break;
            case LeadershipGained l: Resumption.OnLeadership(d, l); break;
            case RejoinFinished r: OperatorRules.OnRejoinFinished(d, r); break;
            case ChangeRequested r: RequestRules.OnChangeRequested(d, r); break;
            case ApprovalGiven a: RequestRules.OnApproved(d, a); break;
            case RejectionGiven r: RequestRules.OnRejected(d, r); break;
            case Paused p: OperatorRules.OnPaused(d, p); break;
            case Resumed r: OperatorRules.OnResumed(d, r); break;
            case Noted n: Note(d, n.Event); break;
            case ClockTicked: break;
            case SnapshotDue due:
                d.Emit(Snapshots.Of(d.State) with
                {
                    Reason = $"snapshot of {d.State.Name} at epoch {d.State.Epoch}, {due.EventsSince} events after the last: the log before it may be removed",
                });
                break;
            default: throw new UnreachableException(input.GetType().Name);
        }
        // Every input re-reads the rules, so time passing (a cooldown ending, a request's deadline) acts at the next input.
        RequestRules.ExpireOverdue(d);
        RequestRules.RunDue(d);
        CheckRules.Evaluate(d);
        return d.Build();
    }

    /// <summary>Only a record that changes nothing may be handed in as it is; anything else is a decision of the rules.</summary>
    private static void Note(DecisionBuilder d, JournalEvent e)
    {
        if (e is not IInformational) throw new UnreachableException($"{e.Type} changes state and cannot be handed in as a note");
        d.Emit(e);
    }
}
