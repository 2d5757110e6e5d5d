using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

public static partial class Decider
{
    /// <summary>
    /// A person's switchover or failover: checked now, recorded with its target, and carried out once
    /// <c>failover.approvals</c> people other than the requester approved it (rule 6).
    /// </summary>
    private static void OnChangeRequested(Outcome o, ChangeRequested r)
    {
        // A request past its deadline is closed first: otherwise, between its deadline and the next tick, a new
        // request was refused because of one that this very decision then expired.
        ExpireOverdue(o);
        ServiceState s = o.State;
        if (s.Request is { } open)
        {
            Refuse(o, r.Actor, "request", r.Id, RefusalKind.Conflict,
                $"request {open.Id} ({open.Kind.Text()} to {open.To} by {open.RequestedBy}) is {open.State.Text().Replace('_', ' ')}: it must finish, be rejected or expire first");
            return;
        }
        if (!ChangeChecks.TryTarget(s, r.Kind, r.To, out string target, out string whyNot))
        {
            Refuse(o, r.Actor, "request", r.Id, RefusalKind.Conflict, $"{r.Kind.Text()} of {s.Name} refused: {whyNot}");
            return;
        }
        int needed = s.Spec.Failover.Approvals;
        var request = new OperatorRequest(r.Id, r.Kind, s.Primary, target, r.Reason, r.Actor, o.Now, o.Now + s.Spec.Failover.ApprovalWindow,
            needed, [], RequestState.AwaitingApproval);
        o.State = s with { Request = request };
        string wait = needed == 0 ? "no approval needed" : $"needs {needed} approval{(needed == 1 ? "" : "s")} from people other than {r.Actor} by {request.ExpiresAt:u}";
        o.EventBy(r.Actor, EventTypes.RequestCreated, target, $"{r.Actor} requests a {r.Kind.Text()} of {s.Name} from {s.Primary} to {target} ({r.Reason}); {wait}",
            ("id", r.Id), ("kind", r.Kind.Text()), ("from", s.Primary), ("to", target), ("request_reason", r.Reason), ("requested_by", r.Actor),
            ("approvals_needed", needed), ("expires_at", request.ExpiresAt.ToString("O")));
        if (needed == 0) Execute(o, request);
        else o.Alert("warning", $"{s.Name}: {r.Actor} requests a {r.Kind.Text()} from {s.Primary} to {target}; it needs approval (request {r.Id})", target);
    }

    private static void OnApproved(Outcome o, RequestApproved a)
    {
        if (Open(o, a.Id, a.Actor, "approve") is not { } request) return;
        if (request.State == RequestState.Executing)
        {
            Refuse(o, a.Actor, "approve", a.Id, RefusalKind.Conflict, $"request {a.Id} is already approved and executing");
            return;
        }
        if (a.Actor == request.RequestedBy)
        {
            Refuse(o, a.Actor, "approve", a.Id, RefusalKind.Forbidden,
                $"{a.Actor} made request {a.Id} and cannot approve it: it needs {request.ApprovalsNeeded} approver{(request.ApprovalsNeeded == 1 ? "" : "s")} other than the requester");
            return;
        }
        if (request.ApprovedBy.Contains(a.Actor))
        {
            Refuse(o, a.Actor, "approve", a.Id, RefusalKind.Conflict, $"{a.Actor} has already approved request {a.Id}; it needs another person");
            return;
        }
        OperatorRequest approved = request with { ApprovedBy = request.ApprovedBy.Add(a.Actor) };
        o.State = o.State with { Request = approved };
        o.EventBy(a.Actor, EventTypes.RequestApproved, request.To,
            $"{a.Actor} approved request {a.Id} ({approved.ApprovedBy.Length} of {request.ApprovalsNeeded}){(a.Comment.Length > 0 ? $": {a.Comment}" : "")}",
            ("id", a.Id), ("approved_by", a.Actor), ("comment", a.Comment), ("approvals", approved.ApprovedBy.Length), ("approvals_needed", request.ApprovalsNeeded));
        if (approved.IsApproved) Execute(o, approved);
    }

    private static void OnRejected(Outcome o, RequestRejected r)
    {
        if (Open(o, r.Id, r.Actor, "reject") is not { } request) return;
        if (request.State == RequestState.Executing)
        {
            Refuse(o, r.Actor, "reject", r.Id, RefusalKind.Conflict, $"request {r.Id} is already executing and cannot be stopped half-way");
            return;
        }
        o.State = o.State with { Request = null };
        string verb = r.Actor == request.RequestedBy ? "withdrew" : "rejected";
        o.EventBy(r.Actor, EventTypes.RequestRejected, request.To, $"{r.Actor} {verb} request {r.Id}{(r.Comment.Length > 0 ? $": {r.Comment}" : "")}",
            ("id", r.Id), ("rejected_by", r.Actor), ("comment", r.Comment));
    }

    /// <summary>The open request with this id; an expired one is closed here, so it can never be approved late.</summary>
    private static OperatorRequest? Open(Outcome o, string id, string actor, string action)
    {
        if (o.State.Request is not { } request || request.Id != id)
        {
            Refuse(o, actor, action, id, RefusalKind.NotFound, $"{o.State.Name} has no open request '{id}'");
            return null;
        }
        if (request.State == RequestState.AwaitingApproval && o.Now >= request.ExpiresAt)
        {
            Expire(o, request);
            Refuse(o, actor, action, id, RefusalKind.Conflict, $"request {id} expired at {request.ExpiresAt:u} without enough approvals; make a new request");
            return null;
        }
        return request;
    }

    private static void ExpireOverdue(Outcome o)
    {
        if (o.State.Request is { State: RequestState.AwaitingApproval } r && o.Now >= r.ExpiresAt) Expire(o, r);
    }

    private static void Expire(Outcome o, OperatorRequest r)
    {
        o.State = o.State with { Request = null };
        o.Event(EventTypes.RequestExpired, r.To,
            $"request {r.Id} ({r.Kind.Text()} to {r.To} by {r.RequestedBy}) expired with {r.ApprovedBy.Length} of {r.ApprovalsNeeded} approvals", ("id", r.Id));
    }

    /// <summary>Approved: everything is checked again, as the world may have changed while people approved.</summary>
    private static void Execute(Outcome o, OperatorRequest r)
    {
        ServiceState s = o.State;
        string? whyNot = s.Primary != r.From ? $"the primary is now {s.Primary}, not {r.From} as when it was requested" : null;
        if (whyNot is null && !ChangeChecks.TryTarget(s, r.Kind, r.To, out _, out string stillBlocked)) whyNot = stillBlocked;
        if (whyNot is not null)
        {
            o.State = s with { Request = null };
            o.Event(EventTypes.RequestFailed, r.To, $"request {r.Id} was not carried out: {whyNot}", ("id", r.Id));
            o.Alert("warning", $"{s.Name}: the approved {r.Kind.Text()} to {r.To} was not carried out: {whyNot}", r.To);
            return;
        }
        OperatorRequest executing = r with { State = RequestState.Executing };
        o.State = s with { Request = executing };
        o.EventBy(r.RequestedBy, EventTypes.RequestExecuting, r.To,
            $"request {r.Id} is carried out: {r.Kind.Text()} from {r.From} to {r.To}{(r.ApprovedBy.IsEmpty ? "" : $", approved by {string.Join(", ", r.ApprovedBy)}")}",
            ("id", r.Id), ("approved_by", string.Join(",", r.ApprovedBy)), ("to", r.To));
        if (r.Kind == RequestKind.Failover) StartFailover(o, o.State.Members[r.To], executing);
        else StartSwitchover(o, executing);
    }

    /// <summary>The failover or switchover a request started has ended: so has the request.</summary>
    private static void FinishRequest(Outcome o, FailoverProgress f, bool succeeded, string reason)
    {
        if (f.Request is not { } id || o.State.Request?.Id != id) return;
        o.State = o.State with { Request = null };
        o.Event(succeeded ? EventTypes.RequestCompleted : EventTypes.RequestFailed, f.To, $"request {id}: {reason}", ("id", id), ("to", f.To));
    }

    private static void OnPaused(Outcome o, Paused p)
    {
        if (o.State.Pause is { } already)
        {
            o.Refused = new Refusal(RefusalKind.Conflict, $"{o.State.Name} is already paused by {already.By} since {already.Since:u} ({already.Reason})");
            return;
        }
        o.State = o.State with { Pause = new PauseInfo(p.Actor, p.Reason, o.Now) };
        o.EventBy(p.Actor, EventTypes.ServicePaused, null, $"{p.Actor} paused {o.State.Name} ({p.Reason}): no automatic failover until it is resumed",
            ("pause_reason", p.Reason));
    }

    private static void OnResumed(Outcome o, Resumed r)
    {
        if (o.State.Pause is not { } pause)
        {
            o.Refused = new Refusal(RefusalKind.Conflict, $"{o.State.Name} is not paused");
            return;
        }
        o.State = o.State with { Pause = null };
        o.EventBy(r.Actor, EventTypes.ServiceResumed, null,
            $"{r.Actor} resumed {o.State.Name} (paused by {pause.By} since {pause.Since:u}){(r.Reason.Length > 0 ? $": {r.Reason}" : "")}; automatic failover applies again");
    }

    /// <summary>Refusals of request actions are journaled too: who tried what, and why not, belongs to the record.</summary>
    private static void Refuse(Outcome o, string actor, string action, string? id, RefusalKind kind, string why)
    {
        o.Refused = new Refusal(kind, why);
        o.EventBy(actor, EventTypes.RequestRefused, null, why, ("id", id), ("action", action), ("refused", why));
    }
}
