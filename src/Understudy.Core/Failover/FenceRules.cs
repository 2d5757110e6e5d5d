using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// The end of a failover's fence. A required fence hook that failed stops the failover before promotion: the old
/// primary is not known to be fenced (clients that bypass the proxy may still write to it), and promoting another
/// server could leave two writable primaries. Nothing retries it: it waits, degraded and alerted, until an operator
/// forces it on (a failover request with <c>force</c>), which the journal records as accepting that risk.
/// </summary>
internal static class FenceRules
{
    public static void Fenced(DecisionBuilder d, FailoverProgress f, FenceMember fence, StepCompleted done)
    {
        if (!done.Succeeded)
        {
            FailoverRules.Fail(d, f, $"fencing {fence.Member} failed ({done.Detail}); {f.To} was not given traffic");
            return;
        }
        if (f.FenceFailure is { } failure)
        {
            Block(d, f, failure);
            return;
        }
        d.Emit(new MemberFenced(done.Detail) { Member = fence.Member, Reason = $"{fence.Member} no longer receives traffic ({done.Detail})" });
        PromoteNext(d, f);
    }

    /// <summary>The request that started the failover, if any, has failed; forcing is a new request, approved anew.</summary>
    private static void Block(DecisionBuilder d, FailoverProgress f, string failure)
    {
        string reason = $"the failover from {f.From} to {f.To} stopped before promotion: a required fence hook failed ({failure}), so {f.From} is not known " +
                        $"to be fenced and promoting {f.To} could leave two writable primaries; nothing is routable until an operator forces it " +
                        $"(understudy failover {d.State.Name} --force)";
        d.Emit(new FailoverBlocked(f.From, f.To, failure) { Member = f.From, Reason = reason });
        RequestRules.Finish(d, f, false, reason);
        d.Alert("critical", $"{d.State.Name}: {reason}", f.From);
    }

    /// <summary>An approved force request: the old primary counts as fenced on the operator's word, and the failover goes on.</summary>
    public static void Force(DecisionBuilder d, OperatorRequest request)
    {
        FailoverProgress f = d.State.Failover!;
        string reason = $"{request.RequestedBy} forced the failover from {f.From} to {f.To} past its failed fence (request {request.Id}{request.ApprovedByText}: {request.Reason}), " +
                        $"accepting the risk that {f.From} still runs and accepts writes";
        d.Emit(new FailoverForced(f.From, f.To, f.FenceFailure ?? "", request.Id) { Member = f.To, Actor = request.RequestedBy, Reason = reason });
        d.Alert("warning", $"{d.State.Name}: {reason}", f.To);
        d.Emit(new MemberFenced($"forced by {request.RequestedBy}")
        {
            Member = f.From, Actor = request.RequestedBy, Reason = $"{f.From} counts as fenced on {request.RequestedBy}'s word (request {request.Id})",
        });
        PromoteNext(d, f);
    }

    /// <summary>PostgreSQL promotes next; http/tcp (and a switchover) wait in AwaitingTarget until the new primary is seen up.</summary>
    private static void PromoteNext(DecisionBuilder d, FailoverProgress f)
    {
        if (d.State.Failover is { Stage: FailoverStage.Promoting }) d.Do(new PromoteMember(f.To, f.Epoch));
    }
}
