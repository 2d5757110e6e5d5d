using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>Maintenance (pause, resume) and the rejoin of a member failed over from: operator acts outside requests.</summary>
internal static class OperatorRules
{
    public static void OnPaused(DecisionBuilder d, Paused p)
    {
        if (d.State.Pause is { } already)
        {
            d.Refused = new Refusal(RefusalKind.Conflict, $"{d.State.Name} is already paused by {already.By} since {already.Since:u} ({already.Reason})");
            return;
        }
        d.Emit(new ServicePaused(p.Reason) { Actor = p.Actor, Reason = $"{p.Actor} paused {d.State.Name} ({p.Reason}): no automatic failover until it is resumed" });
    }

    public static void OnResumed(DecisionBuilder d, Resumed r)
    {
        if (d.State.Pause is not { } pause)
        {
            d.Refused = new Refusal(RefusalKind.Conflict, $"{d.State.Name} is not paused");
            return;
        }
        d.Emit(new ServiceResumed
        {
            Actor = r.Actor,
            Reason = $"{r.Actor} resumed {d.State.Name} (paused by {pause.By} since {pause.Since:u}){(r.Reason.Length > 0 ? $": {r.Reason}" : "")}; automatic failover applies again",
        });
    }

    /// <summary>
    /// A member failed over from is a candidate again only after an operator rejoined it (rule 2), and only
    /// if the rejoin was to the primary of the current epoch: one finished after another failover follows an
    /// old primary.
    /// </summary>
    public static void OnRejoinFinished(DecisionBuilder d, RejoinFinished r)
    {
        ServiceState s = d.State;
        if (!r.Succeeded)
        {
            d.Emit(new RejoinFailed(r.Primary) { Member = r.Member, Actor = r.Actor, Reason = $"rejoining {r.Member} failed: {r.Detail}" });
            return;
        }
        if (!s.Members.TryGetValue(r.Member, out MemberState? m) || !m.NeedsRejoin || r.Member == s.Primary)
        {
            d.Quiet = $"{r.Member} is not marked for rejoin; nothing to clear";
            return;
        }
        if (r.Epoch != s.Epoch || r.Primary != s.Primary)
        {
            d.Emit(new RejoinFailed(r.Primary)
            {
                Member = r.Member, Actor = r.Actor,
                Reason = $"{r.Member} was rejoined to {r.Primary} (epoch {r.Epoch}) but the primary is now {s.Primary} (epoch {s.Epoch}); it stays out: rejoin it again",
            });
            return;
        }
        d.Emit(new MemberRejoined(s.Primary) { Member = r.Member, Actor = r.Actor, Reason = $"{r.Member} was rejoined as a standby of {s.Primary} by {r.Actor}; it may be promoted again" });
    }
}
