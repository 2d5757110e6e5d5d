using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Api;

/// <summary>Requests as the journal recorded them, finished ones included: the journal is the only record.</summary>
public static class RequestHistory
{
    public const string EventPrefix = "request.";

    /// <summary>Folds request.* events (in journal order) into one view per request, newest first.</summary>
    public static IReadOnlyList<RequestView> From(IEnumerable<JournalEvent> events)
    {
        var views = new Dictionary<string, RequestView>(StringComparer.Ordinal);
        foreach (JournalEvent e in events)
        {
            if (e is RequestCreated c)
            {
                views[c.RequestId] = new RequestView(c.RequestId, c.Service, c.Kind.Text(), c.From, c.To, c.RequestReason, c.RequestedBy, c.Time, c.ExpiresAt,
                    c.ApprovalsNeeded, [], null, RequestState.AwaitingApproval.Text(), c.Reason, c.Time, c.Force, c.NotBefore, c.NotAfter);
                continue;
            }
            if ((e as IRequestEvent)?.RequestId is not { } id || !views.TryGetValue(id, out RequestView? v)) continue;
            // request.refused: an attempt that changed nothing
            if (e is RequestRefused) continue;
            views[id] = e switch
            {
                RequestApproved a => v with { ApprovedBy = [.. v.ApprovedBy, a.ApprovedBy] },
                RequestRejected r => v with { RejectedBy = r.RejectedBy, State = RequestState.Rejected.Text() },
                RequestExpired => v with { State = RequestState.Expired.Text() },
                RequestExecuting => v with { State = RequestState.Executing.Text() },
                RequestScheduled => v with { State = RequestState.Scheduled.Text() },
                RequestCompleted => v with { State = RequestState.Completed.Text() },
                RequestFailed => v with { State = RequestState.Failed.Text() },
                _ => v,
            } with { Detail = e.Reason, UpdatedAt = e.Time };
        }
        return [.. views.Values.OrderByDescending(v => v.CreatedAt)];
    }
}
