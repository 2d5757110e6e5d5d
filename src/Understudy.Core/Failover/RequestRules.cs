using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// A person's switchover or failover: checked when asked, recorded with its target, and carried out once
/// <c>failover.approvals</c> people other than the requester approved it (rule 6); checked again then.
/// </summary>
internal static class RequestRules
{
    public static void OnChangeRequested(DecisionBuilder d, ChangeRequested r)
    {
        // A request past its deadline is closed first: otherwise, between its deadline and the next tick, a new
        // request was refused because of one that this very decision then expired.
        ExpireOverdue(d);
        ServiceState s = d.State;
        if (s.Request is { } open)
        {
            Refuse(d, r.Actor, "request", r.Id, RefusalKind.Conflict,
                $"request {open.Id} ({open.Kind.Text()} to {open.To} by {open.RequestedBy}) is {open.State.Text().Replace('_', ' ')}: it must finish, be rejected or expire first");
            return;
        }
        if (r.Window is { } w && (r.Kind != RequestKind.Switchover || r.Force))
        {
            Refuse(d, r.Actor, "request", r.Id, RefusalKind.Conflict, $"only a switchover can be scheduled: a failover replaces a primary that is down now");
            return;
        }
        if (r.Window is { } late && late.End <= d.Now)
        {
            Refuse(d, r.Actor, "request", r.Id, RefusalKind.Conflict, $"{late.Source} has passed (it ended {late.End:u}); give a time to come");
            return;
        }
        string target, whyNot;
        if (r.Force ? !ChangeChecks.TryForce(s, r.Kind, r.To, out target, out whyNot) : !ChangeChecks.TryTarget(s, r.Kind, r.To, out target, out whyNot))
        {
            Refuse(d, r.Actor, "request", r.Id, RefusalKind.Conflict, $"{(r.Force ? "forced " : "")}{r.Kind.Text()} of {s.Name} refused: {whyNot}");
            return;
        }
        // A forced failover may carry on the one stopped at its fence: from the old primary it fences, not the epoch's unpromoted one.
        string from = s.Failover?.From ?? s.Primary;
        string what = r.Force ? "forced failover" : r.Kind.Text();
        int needed = s.Spec.Failover.Approvals;
        DateTimeOffset expires = d.Now + s.Spec.Failover.ApprovalWindow;
        string wait = needed == 0 ? "no approval needed" : $"needs {needed} approval{(needed == 1 ? "" : "s")} from people other than {r.Actor} by {expires:u}";
        string when = r.Window is { } window ? $"; it runs {window.Source}, from {window.Start:u} (until {window.End:u})" : "";
        d.Emit(new RequestCreated(r.Id, r.Kind, from, target, r.Reason, r.Actor, needed, expires, r.Force, r.Window?.Start, r.Window?.End, r.Window?.Source)
        {
            Member = target, Actor = r.Actor,
            Reason = $"{r.Actor} requests a {what} of {s.Name} from {from} to {target} ({r.Reason}); {wait}{when}",
        });
        if (needed == 0) Approved(d, d.State.Request!);
        else d.Alert("warning", $"{s.Name}: {r.Actor} requests a {what} from {from} to {target}; it needs approval (request {r.Id})", target);
    }

    public static void OnApproved(DecisionBuilder d, ApprovalGiven a)
    {
        if (Open(d, a.Id, a.Actor, "approve") is not { } request) return;
        if (request.State == RequestState.Executing)
        {
            Refuse(d, a.Actor, "approve", a.Id, RefusalKind.Conflict, $"request {a.Id} is already approved and executing");
            return;
        }
        if (a.Actor == request.RequestedBy)
        {
            Refuse(d, a.Actor, "approve", a.Id, RefusalKind.Forbidden,
                $"{a.Actor} made request {a.Id} and cannot approve it: it needs {request.ApprovalsNeeded} approver{(request.ApprovalsNeeded == 1 ? "" : "s")} other than the requester");
            return;
        }
        if (request.ApprovedBy.Contains(a.Actor))
        {
            Refuse(d, a.Actor, "approve", a.Id, RefusalKind.Conflict, $"{a.Actor} has already approved request {a.Id}; it needs another person");
            return;
        }
        int approvals = request.ApprovedBy.Length + 1;
        d.Emit(new RequestApproved(a.Id, a.Actor, a.Comment, approvals, request.ApprovalsNeeded)
        {
            Member = request.To, Actor = a.Actor,
            Reason = $"{a.Actor} approved request {a.Id} ({approvals} of {request.ApprovalsNeeded}){(a.Comment.Length > 0 ? $": {a.Comment}" : "")}",
        });
        if (d.State.Request is { IsApproved: true } approved) Approved(d, approved);
    }

    /// <summary>Approved (or needing no approval): carried out now, or, scheduled, when its window opens.</summary>
    private static void Approved(DecisionBuilder d, OperatorRequest r)
    {
        if (r.Window is not { } w || d.Now >= w.Start)
        {
            Execute(d, r);
            return;
        }
        d.Emit(new RequestScheduled(r.Id, w.Start, w.End)
        {
            Member = r.To, Actor = r.RequestedBy,
            Reason = $"request {r.Id} ({r.Kind.Text()} to {r.To}) is approved and waits for {w.Source}: it runs at {w.Start:u}{r.ApprovedByText}; reject or withdraw it to cancel",
        });
    }

    /// <summary>
    /// A scheduled request whose window has opened runs, checked again like any approved one; a controller that was not
    /// running (or not leading) through the whole window finds it missed, and says so instead of running it late.
    /// </summary>
    public static void RunDue(DecisionBuilder d)
    {
        if (d.State.Request is not { State: RequestState.Scheduled, Window: { } w } r || d.Now < w.Start) return;
        if (d.Now < w.End)
        {
            Execute(d, r);
            return;
        }
        string why = $"request {r.Id} missed {w.Source} ({w.Start:u} to {w.End:u}): no controller was there to run it; request it again";
        d.Emit(new RequestFailed(r.Id) { Member = r.To, Reason = why });
        d.Alert("warning", $"{d.State.Name}: {why}", r.To);
    }

    public static void OnRejected(DecisionBuilder d, RejectionGiven r)
    {
        if (Open(d, r.Id, r.Actor, "reject") is not { } request) return;
        if (request.State == RequestState.Executing)
        {
            Refuse(d, r.Actor, "reject", r.Id, RefusalKind.Conflict, $"request {r.Id} is already executing and cannot be stopped half-way");
            return;
        }
        string verb = r.Actor == request.RequestedBy ? "withdrew" : "rejected";
        d.Emit(new RequestRejected(r.Id, r.Actor, r.Comment)
        {
            Member = request.To, Actor = r.Actor, Reason = $"{r.Actor} {verb} request {r.Id}{(r.Comment.Length > 0 ? $": {r.Comment}" : "")}",
        });
    }

    /// <summary>The open request with this id; an expired one is closed here, so it can never be approved late.</summary>
    private static OperatorRequest? Open(DecisionBuilder d, string id, string actor, string action)
    {
        if (d.State.Request is not { } request || request.Id != id)
        {
            Refuse(d, actor, action, id, RefusalKind.NotFound, $"{d.State.Name} has no open request '{id}'");
            return null;
        }
        if (request.State == RequestState.AwaitingApproval && d.Now >= request.ExpiresAt)
        {
            Expire(d, request);
            Refuse(d, actor, action, id, RefusalKind.Conflict, $"request {id} expired at {request.ExpiresAt:u} without enough approvals; make a new request");
            return null;
        }
        return request;
    }

    public static void ExpireOverdue(DecisionBuilder d)
    {
        if (d.State.Request is { State: RequestState.AwaitingApproval } r && d.Now >= r.ExpiresAt) Expire(d, r);
    }

    private static void Expire(DecisionBuilder d, OperatorRequest r) =>
        d.Emit(new RequestExpired(r.Id)
        {
            Member = r.To, Reason = $"request {r.Id} ({r.Kind.Text()} to {r.To} by {r.RequestedBy}) expired with {r.ApprovedBy.Length} of {r.ApprovalsNeeded} approvals",
        });

    /// <summary>Approved: everything is checked again, as the world may have changed while people approved.</summary>
    private static void Execute(DecisionBuilder d, OperatorRequest r)
    {
        ServiceState s = d.State;
        string? whyNot = (s.Failover?.From ?? s.Primary) != r.From ? $"the primary is now {s.Primary}, not {r.From} as when it was requested"
            : r.Force && !ChangeChecks.TryForce(s, r.Kind, r.To, out _, out string cannotForce) ? cannotForce
            : null;
        if (whyNot is null && !r.Force && !ChangeChecks.TryTarget(s, r.Kind, r.To, out _, out string stillBlocked)) whyNot = stillBlocked;
        if (whyNot is not null)
        {
            d.Emit(new RequestFailed(r.Id) { Member = r.To, Reason = $"request {r.Id} was not carried out: {whyNot}" });
            d.Alert("warning", $"{s.Name}: the approved {r.Kind.Text()} to {r.To} was not carried out: {whyNot}", r.To);
            return;
        }
        d.Emit(new RequestExecuting(r.Id, r.ApprovedBy, r.To)
        {
            Member = r.To, Actor = r.RequestedBy,
            Reason = $"request {r.Id} is carried out: {r.Kind.Text()} from {r.From} to {r.To}{r.ApprovedByText}",
        });
        OperatorRequest executing = d.State.Request!;
        // Forcing a failover stopped at its fence carries on a change that already started: the veto hooks were asked then.
        if (r.Force && s.Failover is not null) FenceRules.Force(d, executing);
        else if (VetoRules.MustAsk(d, r.Kind, r.To, r.Id)) VetoRules.Ask(d, r.Kind, r.To, r.Id);
        else Start(d, executing);
    }

    /// <summary>The veto hooks allowed an executing request's change: it starts if everything it needs still holds.</summary>
    public static void Begin(DecisionBuilder d, OperatorRequest r)
    {
        ServiceState s = d.State;
        string? whyNot = s.Primary != r.From ? $"the primary is now {s.Primary}, not {r.From} as when it was requested"
            : r.Force ? (ChangeChecks.TryForce(s, r.Kind, r.To, out _, out string cannotForce) ? null : cannotForce)
            : ChangeChecks.TryTarget(s, r.Kind, r.To, out _, out string blocked) ? null : blocked;
        if (whyNot is not null)
        {
            d.Emit(new RequestFailed(r.Id, r.To) { Member = r.To, Reason = $"request {r.Id} was not carried out: {whyNot}" });
            d.Alert("warning", $"{s.Name}: the approved {r.Kind.Text()} to {r.To} was not carried out: {whyNot}", r.To);
            return;
        }
        Start(d, r);
    }

    private static void Start(DecisionBuilder d, OperatorRequest executing)
    {
        if (executing.Force) FailoverRules.StartForced(d, d.State.Members[executing.To], executing);
        else if (executing.Kind == RequestKind.Failover) FailoverRules.Start(d, d.State.Members[executing.To], executing);
        else SwitchoverRules.Start(d, executing);
    }

    /// <summary>The failover or switchover a request started has ended: so has the request.</summary>
    public static void Finish(DecisionBuilder d, FailoverProgress f, bool succeeded, string reason)
    {
        if (f.Request is not { } id || d.State.Request?.Id != id) return;
        d.Emit(succeeded
            ? new RequestCompleted(id, f.To) { Member = f.To, Reason = $"request {id}: {reason}" }
            : new RequestFailed(id, f.To) { Member = f.To, Reason = $"request {id}: {reason}" });
    }

    /// <summary>Refusals of request actions are journaled too: who tried what, and why not, belongs to the record.</summary>
    private static void Refuse(DecisionBuilder d, string actor, string action, string? id, RefusalKind kind, string why)
    {
        d.Refused = new Refusal(kind, why);
        d.Emit(new RequestRefused(id, action, why) { Actor = actor, Reason = why });
    }
}
