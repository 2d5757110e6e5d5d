using System.Security.Cryptography;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using Understudy.Core.Topology;

namespace Understudy.Sites;

/// <summary>People's decisions on site operations: asked, approved, rejected or withdrawn, and expired when nobody approved them in time.</summary>
public sealed partial class SiteOperations
{
    /// <summary>A new operation from a plan that was not refused; it runs at once when it needs no approval.</summary>
    public async Task<SiteOperationView> StartAsync(SiteSpec site, SitePlan plan, string reason, string requestedBy, CancellationToken ct)
    {
        string id = $"s-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        DateTimeOffset expiresAt = time.GetUtcNow() + ApprovalWindow(plan);
        foreach (SiteStep step in plan.Moves)
            await NoteAsync(step.Service, new SiteRequested(id, site.Name, requestedBy, plan.ApprovalsNeeded, reason, expiresAt, step.Kind!.Value.Text(), step.From)
            {
                Member = step.To, Actor = requestedBy,
                Reason = $"{requestedBy} asked to fail site {site.Name} over ({id}): {step.Service} would move by {step.Kind!.Value.Text()} from {step.From} to {step.To}; "
                       + $"{(plan.ApprovalsNeeded == 0 ? "no approval needed" : $"needs {plan.ApprovalsNeeded} approval(s) by {expiresAt:u}")}: {reason}",
            }, ct);
        if (plan.ApprovalsNeeded == 0) Launch(id, resumedWhy: null);
        else if (Term is { } term) ExpireOnTime(id, term);
        return View(Ops[id]);
    }

    /// <summary>An approval by <paramref name="actor"/>, journaled; the refusal when not given, else the operation as it is now.</summary>
    public Task<(Refusal? Refused, SiteOperationView? View)> ApproveAsync(string id, string actor, string comment, CancellationToken ct) => DecideAsync(id, async op =>
    {
        if (op.State != AwaitingApproval || op.IsApproved) return (NotAwaiting(op), null);
        if (spec.Site(op.Site) is null) return (new Refusal(RefusalKind.Conflict, $"site operation {id} is of site {op.Site}, which the config no longer has: it cannot run"), null);
        if (actor == op.RequestedBy)
            return (new Refusal(RefusalKind.Forbidden, $"{actor} requested site operation {id} and cannot approve it; it needs approvers other than the requester"), null);
        if (op.ApprovedBy.Contains(actor)) return (new Refusal(RefusalKind.Conflict, $"{actor} has already approved site operation {id}; it needs another person"), null);
        int approvals = op.ApprovedBy.Count + 1;
        foreach (string service in Involved(op))
            await NoteAsync(service, new SiteApproved(id, op.Site, actor, comment, approvals, op.ApprovalsNeeded)
            {
                Actor = actor,
                Reason = $"{actor} approved site failover {id} of {op.Site} ({approvals} of {op.ApprovalsNeeded}){(comment.Length > 0 ? $": {comment}" : "")}",
            }, ct);
        if (Ops[id].IsApproved) Launch(id, resumedWhy: null);
        return (null, View(Ops[id]));
    }, ct);

    /// <summary>Rejected by an approver, or withdrawn by its requester, while it awaits approval; null when done, else the refusal.</summary>
    public Task<(Refusal? Refused, SiteOperationView? View)> RejectAsync(string id, string actor, bool isApprover, string comment, CancellationToken ct) => DecideAsync(id, async op =>
    {
        if (op.State != AwaitingApproval || _running.ContainsKey(id)) return (NotAwaiting(op), null);
        string verb = actor == op.RequestedBy ? "withdrew" : "rejected";
        if (actor != op.RequestedBy && !isApprover)
            return (new Refusal(RefusalKind.Forbidden, $"{actor} may withdraw only their own site operations; rejecting {op.RequestedBy}'s needs approver"), null);
        foreach (string service in Involved(op))
            await NoteAsync(service, new SiteRejected(op.Id, op.Site, actor, comment)
            {
                Actor = actor, Reason = $"{actor} {verb} site failover {op.Id} of {op.Site}{(comment.Length > 0 ? $": {comment}" : "")}; nothing moved",
            }, ct);
        return (null, View(Ops[id]));
    }, ct);

    /// <summary>One person's decision on an operation, one at a time, from the fold as it stands (its expiry journaled first when due).</summary>
    private async Task<(Refusal? Refused, SiteOperationView? View)> DecideAsync(string id, Func<SiteOperationRecord, Task<(Refusal?, SiteOperationView?)>> decide,
        CancellationToken ct)
    {
        await _loaded.Task.WaitAsync(ct);
        await _decide.WaitAsync(ct);
        try
        {
            if (!Ops.TryGetValue(id, out SiteOperationRecord? op)) return (NotFound(id), null);
            return await decide(op.IsExpired(time.GetUtcNow()) ? await ExpireAsync(op, ct) : op);
        }
        finally { _decide.Release(); }
    }

    private static Refusal NotFound(string id) => new(RefusalKind.NotFound, $"id: no site operation '{id}'");

    private Refusal NotAwaiting(SiteOperationRecord op) => new(RefusalKind.Conflict, op.State == AwaitingApproval
        ? $"site operation {op.Id} is already approved and starts as the deciding controller takes it: {op.Detail}"
        : $"site operation {op.Id} is already {View(op).State.Replace('_', ' ')}: {op.Detail}");

    private void ExpireOnTime(string id, CancellationToken ct) => _ = Task.Run(async () =>
    {
        try
        {
            // Again until it is due: a timer may fire a moment before the clock reads its instant.
            while (Ops[id] is { State: AwaitingApproval, IsApproved: false } op && op.ExpiresAt - time.GetUtcNow() is var wait && wait > TimeSpan.Zero)
                await Task.Delay(wait, time, ct);
            await _decide.WaitAsync(ct);
            try
            {
                if (Ops[id].IsExpired(time.GetUtcNow())) await ExpireAsync(Ops[id], ct);
            }
            finally { _decide.Release(); }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e) { Log.ExpiryFailed(logger, id, e.Message); }
    }, ct);

    /// <summary>Journals that nobody approved it in time (called while deciding); the operation as it is then.</summary>
    private async Task<SiteOperationRecord> ExpireAsync(SiteOperationRecord op, CancellationToken ct)
    {
        string approvals = op.ApprovedBy.Count == 0 ? "nobody approved it" : $"only {op.ApprovedBy.Count} of {op.ApprovalsNeeded} approval(s) came ({string.Join(", ", op.ApprovedBy)})";
        foreach (string service in Involved(op))
            await NoteAsync(service, new SiteExpired(op.Id, op.Site, op.ExpiresAt)
            {
                Actor = Actors.Controller,
                Reason = $"site failover {op.Id} of {op.Site} expired: {approvals} by {op.ExpiresAt:u} "
                       + $"({(op.ExpiresAt - op.CreatedAt).TotalMinutes:0.#} min, failover.approval_timeout); nothing moved",
            }, ct);
        return Ops[op.Id];
    }
}
