using System.Globalization;
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
            if (e.Detail("id") is not { } id) continue;
            if (e.Type == EventTypes.RequestCreated)
            {
                views[id] = new RequestView(id, e.Service, e.Detail("kind") ?? "", e.Detail("from") ?? "", e.Detail("to") ?? "",
                    e.Detail("request_reason") ?? "", e.Detail("requested_by") ?? e.Actor, e.Time,
                    DateTimeOffset.TryParse(e.Detail("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var x) ? x : e.Time,
                    int.TryParse(e.Detail("approvals_needed"), CultureInfo.InvariantCulture, out int n) ? n : 0, [], null,
                    RequestState.AwaitingApproval.Text(), e.Reason ?? "", e.Time);
                continue;
            }
            if (!views.TryGetValue(id, out RequestView? v)) continue;
            views[id] = e.Type switch
            {
                EventTypes.RequestApproved => v with { ApprovedBy = [.. v.ApprovedBy, e.Detail("approved_by") ?? e.Actor] },
                EventTypes.RequestRejected => v with { RejectedBy = e.Detail("rejected_by") ?? e.Actor, State = RequestState.Rejected.Text() },
                EventTypes.RequestExpired => v with { State = RequestState.Expired.Text() },
                EventTypes.RequestExecuting => v with { State = RequestState.Executing.Text() },
                EventTypes.RequestCompleted => v with { State = RequestState.Completed.Text() },
                EventTypes.RequestFailed => v with { State = RequestState.Failed.Text() },
                _ => v, // request.refused: an attempt that changed nothing
            } with { Detail = e.Type == EventTypes.RequestRefused ? v.Detail : e.Reason ?? v.Detail, UpdatedAt = e.Type == EventTypes.RequestRefused ? v.UpdatedAt : e.Time };
        }
        return [.. views.Values.OrderByDescending(v => v.CreatedAt)];
    }
}
