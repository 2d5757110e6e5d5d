using System.Security.Cryptography;
using Understudy.Api;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Sites;

/// <summary>
/// The changes a site operation makes: each service's request handed to its loop and waited for until the journal mirror
/// stores its end, and on a failure the switchovers back, newest first.
/// </summary>
public sealed partial class SiteOperations
{
    /// <summary>Stops at <paramref name="service"/>: journaled (and alerted) there, then every service moved before it goes back, newest first.</summary>
    private async Task FailAsync(Operation op, string service, string why, List<SiteMove> moved, CancellationToken ct)
    {
        await NoteAsync(service, new SiteFailed(op.Id, op.Site.Name)
        {
            Actor = op.RequestedBy,
            Reason = $"site failover {op.Id} of {op.Site.Name} stopped at {service}: {why}"
                   + (moved.Count > 0 ? $"; rolling back {string.Join(", ", moved.Select(m => m.Service).Reverse())}" : ""),
        }, ct);
        await RollBackAsync(op, service, moved, ct);
    }

    private async Task RollBackAsync(Operation op, string stoppedAt, List<SiteMove> moved, CancellationToken ct)
    {
        foreach (SiteMove move in Enumerable.Reverse(moved))
        {
            ServiceRuntime runtime = controller.Service(move.Service)!;
            string? whyNot = SitePlanner.CanReturn(runtime.Loop.State, move.From, out string cannot) ? null : $"cannot be rolled back to {move.From}: {cannot}";
            string? request = null;
            string verified = "";
            if (whyNot is null && runtime.Loop.State.Primary != move.From)
            {
                request = NewRequestId();
                whyNot = await ChangeAsync(op, move.Service, request, RequestKind.Switchover, move.From,
                    $"rollback of site failover {op.Id} of {op.Site.Name} (stopped at {stoppedAt})", ct, verified: passed => verified = $"; {passed}") is { } failed
                    ? $"rollback to {move.From} failed: {failed}" : null;
            }
            bool ok = whyNot is null;
            await NoteAsync(move.Service, new SiteRolledBack(op.Id, op.Site.Name, move.From, ok)
            {
                Member = move.From, Actor = op.RequestedBy,
                Reason = ok ? $"site failover {op.Id} of {op.Site.Name} rolled {move.Service} back to {move.From}{(request is null ? "" : $" (request {request}){verified}")}"
                            : $"site failover {op.Id} of {op.Site.Name}: {move.Service} {whyNot}",
            }, ct);
        }
    }

    /// <summary>
    /// Hands the request to the service's loop, gives it the site operation's approvals when the service needs them,
    /// waits (bounded) for it to end, and verifies the move; null when the service now routes to <paramref name="to"/>, up,
    /// and its verify probe, if it has one, passed (<see cref="SiteVerifier"/>; what it proved goes to <paramref name="verified"/>).
    /// <paramref name="resumed"/>: the request is already in the service (handed in before a restart); it is not asked again.
    /// </summary>
    private async Task<string?> ChangeAsync(Operation op, string service, string id, RequestKind kind, string to, string reason, CancellationToken ct, bool resumed = false,
        Action<string>? verified = null)
    {
        ServiceRuntime runtime = controller.Service(service)!;
        if (!resumed)
        {
            Decision decision = await runtime.Loop.SubmitAsync(new ChangeRequested(id, kind, to, reason, op.RequestedBy), ct);
            if (decision.Refused is { } refused) return $"the {kind.Text()} was refused: {refused.Message}";
        }
        string comment = $"approved site failover {op.Id} of {op.Site.Name}, which includes this {kind.Text()}";
        foreach (string approver in op.ApprovedBy.ToList())
        {
            if (runtime.Loop.State.Request is not { State: RequestState.AwaitingApproval } open || open.Id != id) break;
            // Resumed: an approval given before the restart is not given twice.
            if (open.ApprovedBy.Contains(approver)) continue;
            Decision approval = await runtime.Loop.SubmitAsync(new ApprovalGiven(id, approver, comment), ct);
            if (approval.Refused is { } no) return $"the approval of {approver} was refused: {no.Message}";
        }
        DateTimeOffset deadline = time.GetUtcNow() + PerService;
        while (runtime.Loop.State.Request?.Id == id)
        {
            if (time.GetUtcNow() >= deadline)
                return $"request {id} did not end within {PerService.TotalMinutes:0} min (it is {runtime.Loop.State.Request?.State.Text()}; it goes on in the service)";
            await Task.Delay(Poll, time, ct);
        }
        RequestView? view = await EndedAsync(service, id, deadline, ct);
        if (view is null) return $"request {id} is not in the journal";
        if (view.State != RequestState.Completed.Text()) return $"request {id} {view.State}: {view.Detail}";
        // Verified as the service's clients see it: the routable member is the target, and it is up (checks may lag the switch a moment).
        while (true)
        {
            ServiceState s = runtime.Loop.State;
            if (s.Routable == to && s.Primary == to && s.Members[to].Health == Health.Up)
                return await _verifier.VerifyAsync(op.Site, service, passed => verified?.Invoke(passed), ct);
            if (time.GetUtcNow() >= deadline)
                return $"verification failed: {service} routes to {s.Routable ?? "nobody"} (primary {s.Primary}, {to} {s.Members[to].Health.ToString().ToLowerInvariant()}), not to {to} up";
            await Task.Delay(Poll, time, ct);
        }
    }

    /// <summary>
    /// The request as this instance's journal tells it once it ended. In a cluster the loop's state moves on when the leader
    /// commits, a moment before the mirror stores it: an open request read back then is read again (bounded), not taken as its end.
    /// </summary>
    private async Task<RequestView?> EndedAsync(string service, string id, DateTimeOffset deadline, CancellationToken ct)
    {
        while (true)
        {
            RequestView? view = await RequestOfAsync(service, id, ct);
            if (view is not null && !Open.Contains(view.State) || time.GetUtcNow() >= deadline) return view;
            await Task.Delay(Poll, time, ct);
        }
    }

    private static readonly string[] Open = [RequestState.AwaitingApproval.Text(), RequestState.Scheduled.Text(), RequestState.Executing.Text()];

    private async Task<bool> GoesOnAsync(string service, string request, CancellationToken ct) =>
        controller.Service(service)?.Loop.State.Request?.Id == request || (await RequestOfAsync(service, request, ct))?.State == RequestState.Completed.Text();

    private async Task<RequestView?> RequestOfAsync(string service, string id, CancellationToken ct) =>
        RequestHistory.From(await journal.ReadAsync(new JournalQuery(service, TypePrefix: RequestHistory.EventPrefix), ct)).FirstOrDefault(r => r.Id == id);

    private static string NewRequestId() => $"r-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
}
