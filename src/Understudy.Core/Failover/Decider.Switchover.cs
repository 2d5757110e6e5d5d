using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

public static partial class Decider
{
    /// <summary>
    /// A planned switchover drains before anything changes hands: new connections are held (nothing is
    /// routable), open ones to the old primary get <c>drain_timeout</c>. The epoch advances only after, so
    /// no new connection reaches the old primary once the hold began (rule 1).
    /// </summary>
    private static void StartSwitchover(Outcome o, OperatorRequest request)
    {
        ServiceState s = o.State;
        var f = new FailoverProgress(s.Primary, request.To, s.Epoch, o.Now, FailoverStage.Draining, Kind: RequestKind.Switchover, Request: request.Id);
        TimeSpan drain = s.Spec.Proxy?.Drain ?? TimeSpan.Zero;
        o.State = s with { Failover = f, Routable = null, HoldReason = null };
        o.EventBy(request.RequestedBy, EventTypes.SwitchoverStarted, request.To,
            $"switchover from {s.Primary} to {request.To} (request {request.Id}): new connections held, open ones to {s.Primary} drain for up to {drain.TotalSeconds:0.###} s",
            ("from", s.Primary), ("to", request.To), ("request", request.Id));
        o.Do(new DrainMember(s.Primary, drain, s.Epoch));
    }

    /// <summary>Drained: the new primary takes the next epoch if it is still up; otherwise the old one keeps the traffic.</summary>
    private static void SwitchoverDrained(Outcome o, FailoverProgress f, string detail)
    {
        ServiceState s = o.State;
        MemberState target = s.Members[f.To];
        if (target.Health != Health.Up || target.NeedsRejoin)
        {
            AbandonDrain(o, f, $"{f.To} is {(target.NeedsRejoin ? "marked for rejoin" : target.Health.ToString().ToLowerInvariant())} after the drain");
            return;
        }
        long epoch = s.Epoch + 1;
        o.State = s with { Epoch = epoch, Primary = f.To, Failover = f with { Epoch = epoch, Stage = FailoverStage.AwaitingTarget } };
        o.Event(EventTypes.MemberFenced, f.From, $"{f.From} drained ({detail}); epoch {epoch} makes {f.To} the primary", ("from", f.From), ("to", f.To));
    }

    /// <summary>Before the epoch advanced nothing changed hands: the primary of this epoch gets its traffic back.</summary>
    private static void AbandonDrain(Outcome o, FailoverProgress f, string why)
    {
        string reason = $"switchover from {f.From} to {f.To} abandoned: {why}; traffic stays on {f.From} (epoch {o.State.Epoch})";
        o.State = o.State with { Failover = null, Routable = f.From };
        o.Event(EventTypes.SwitchoverFailed, f.To, reason, ("from", f.From), ("to", f.To), ("primary", f.From), ("routable", f.From), ("request", f.Request));
        FinishRequest(o, f, false, reason);
        o.Alert("warning", $"{o.State.Name}: {reason}", f.To);
    }

    /// <summary>
    /// The new primary failed after the epoch advanced. A switchover's old primary did not fail, so if it is
    /// still up it takes the next epoch back; otherwise nothing is routable and an operator decides.
    /// </summary>
    private static void SwitchoverFailed(Outcome o, FailoverProgress f, string why)
    {
        ServiceState s = o.State;
        if (f.Stage == FailoverStage.Draining)
        {
            AbandonDrain(o, f, why);
            return;
        }
        string reason;
        if (s.Members[f.From].Health == Health.Up && !s.Members[f.From].NeedsRejoin)
        {
            long epoch = s.Epoch + 1;
            o.State = s with { Epoch = epoch, Primary = f.From, Routable = f.From, Failover = null };
            reason = $"switchover from {f.From} to {f.To} failed: {why}; {f.From} is still up and takes traffic back in epoch {epoch}";
        }
        else
        {
            o.State = s with { Failover = null, Routable = null, Degraded = true };
            reason = $"switchover from {f.From} to {f.To} failed: {why}; {f.From} is not up either, so nothing is routable";
            o.State = o.State with { HoldReason = reason };
        }
        o.Event(EventTypes.SwitchoverFailed, f.To, reason, ("from", f.From), ("to", f.To), ("primary", o.State.Primary), ("routable", o.State.Routable), ("request", f.Request));
        FinishRequest(o, f, false, reason);
        o.Alert("critical", $"{o.State.Name}: {reason}", f.To);
    }
}
