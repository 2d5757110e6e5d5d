using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>A planned change of primary: drain, then the next epoch, then switch; abandoned or handed back if the target fails.</summary>
internal static class SwitchoverRules
{
    /// <summary>
    /// A planned switchover drains before anything changes hands: new connections are held (nothing is
    /// routable), open ones to the old primary get <c>drain_timeout</c>. The epoch advances only after, so
    /// no new connection reaches the old primary once the hold began (rule 1).
    /// </summary>
    public static void Start(DecisionBuilder d, OperatorRequest request)
    {
        ServiceState s = d.State;
        TimeSpan drain = s.Spec.Proxy?.Drain ?? TimeSpan.Zero;
        d.Emit(new SwitchoverStarted(s.Primary, request.To, request.Id)
        {
            Member = request.To, Actor = request.RequestedBy,
            Reason = $"switchover from {s.Primary} to {request.To} (request {request.Id}): new connections held, open ones to {s.Primary} drain for up to {drain.TotalSeconds:0.###} s",
        });
        d.Do(new DrainMember(s.Primary, drain, s.Epoch));
    }

    /// <summary>Drained: the new primary takes the next epoch if it is still up; otherwise the old one keeps the traffic.</summary>
    public static void Drained(DecisionBuilder d, FailoverProgress f, string detail)
    {
        MemberState target = d.State.Members[f.To];
        if (target.Health != Health.Up || target.NeedsRejoin)
        {
            Abandon(d, f, $"{f.To} is {(target.NeedsRejoin ? "marked for rejoin" : target.Health.ToString().ToLowerInvariant())} after the drain");
            return;
        }
        long epoch = d.State.Epoch + 1;
        d.Emit(new MemberFenced(detail, f.From, f.To) { Epoch = epoch, Member = f.From, Reason = $"{f.From} drained ({detail}); epoch {epoch} makes {f.To} the primary" });
        // As in a failover, the switch waits until no proxy routes to the old primary (with several controllers,
        // every instance's); a planned change runs no fence hooks: the old primary is healthy and stays a standby.
        d.Do(new FenceMember(f.From, f.To, epoch, Planned: true));
    }

    /// <summary>Before the epoch advanced nothing changed hands: the primary of this epoch gets its traffic back.</summary>
    public static void Abandon(DecisionBuilder d, FailoverProgress f, string why)
    {
        string reason = $"switchover from {f.From} to {f.To} abandoned: {why}; traffic stays on {f.From} (epoch {d.State.Epoch})";
        d.Emit(new SwitchoverFailed(f.From, f.To, f.From, f.From, f.Request) { Member = f.To, Reason = reason });
        RequestRules.Finish(d, f, false, reason);
        d.Alert("warning", $"{d.State.Name}: {reason}", f.To);
    }

    /// <summary>
    /// The new primary failed after the epoch advanced. A switchover's old primary did not fail, so if it is
    /// still up it takes the next epoch back; otherwise nothing is routable and an operator decides.
    /// </summary>
    public static void Failed(DecisionBuilder d, FailoverProgress f, string why)
    {
        ServiceState s = d.State;
        if (f.Stage == FailoverStage.Draining)
        {
            Abandon(d, f, why);
            return;
        }
        bool handBack = s.Members[f.From].Health == Health.Up && !s.Members[f.From].NeedsRejoin;
        string reason = handBack
            ? $"switchover from {f.From} to {f.To} failed: {why}; {f.From} is still up and takes traffic back in epoch {s.Epoch + 1}"
            : $"switchover from {f.From} to {f.To} failed: {why}; {f.From} is not up either, so nothing is routable";
        d.Emit(handBack
            ? new SwitchoverFailed(f.From, f.To, f.From, f.From, f.Request) { Epoch = s.Epoch + 1, Member = f.To, Reason = reason }
            : new SwitchoverFailed(f.From, f.To, s.Primary, null, f.Request) { Member = f.To, Reason = reason });
        RequestRules.Finish(d, f, false, reason);
        d.Alert("critical", $"{d.State.Name}: {reason}", f.To);
    }
}
