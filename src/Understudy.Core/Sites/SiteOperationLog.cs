using System.Collections.Immutable;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Sites;

/// <summary>The states of a site operation, as the journal, the API and the CLI name them.</summary>
public static class SiteStates
{
    public const string AwaitingApproval = "awaiting_approval", Executing = "executing", RollingBack = "rolling_back", Completed = "completed", Failed = "failed",
        Rejected = "rejected", Expired = "expired";

    /// <summary>Nothing more happens to an operation in one of these.</summary>
    public static bool IsFinished(string state) => state is Completed or Failed or Rejected or Expired;
}

/// <summary>One service of a site operation: <see cref="Status"/> planned, moving, moved, failed, skipped, rolled_back or not_rolled_back.</summary>
public sealed record SiteServiceStep(string Service, string Status, string? Kind, string? From, string? To, string? Request, string Detail);

/// <summary>A service the operation moved (and verified), from <see cref="From"/> to <see cref="To"/> by <see cref="Request"/>.</summary>
public sealed record SiteMove(string Service, string Request, string From, string To);

/// <summary>A site operation as its journal events tell it; <see cref="Steps"/> in the order the services first appeared.</summary>
/// <param name="Moved">Every service moved, oldest first; <paramref name="RolledBack"/> those a rollback dealt with since (back, or why not).</param>
public sealed record SiteOperationRecord(string Id, string Site, string RequestedBy, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    int ApprovalsNeeded, ImmutableList<string> ApprovedBy, string State, string Detail, ImmutableList<SiteServiceStep> Steps, ImmutableList<SiteMove> Moved,
    ImmutableHashSet<string> RolledBack)
{
    /// <summary>Moved and not rolled back yet, oldest first: what a rollback still has to switch back (newest first).</summary>
    public IReadOnlyList<SiteMove> ToRollBack => [.. Moved.Where(m => !RolledBack.Contains(m.Service))];

    /// <summary>The service whose request the operation handed in and has not seen end: what a resumed operation waits for.</summary>
    public SiteServiceStep? InFlight => State == SiteStates.Executing ? Steps.FirstOrDefault(s => s.Status == "moving") : null;

    public bool IsApproved => ApprovedBy.Count >= ApprovalsNeeded;

    /// <summary>Awaiting approval past its expiry: it must be journaled expired and can no longer be approved.</summary>
    public bool IsExpired(DateTimeOffset now) => State == SiteStates.AwaitingApproval && !IsApproved && now >= ExpiresAt;

    /// <summary>What the controller that leads now must carry on: under way, or approved without having started.</summary>
    public bool IsResumable => State is SiteStates.Executing or SiteStates.RollingBack || (State == SiteStates.AwaitingApproval && IsApproved);

    public SiteServiceStep? Step(string service) => Steps.FirstOrDefault(s => s.Service == service);
}

/// <summary>
/// Rebuilds site operations from their <c>site.*</c> events, a pure fold (the journal is the operations' only record,
/// and with several controllers the log every instance mirrors). An operation-wide event is journaled through every
/// service it involves, so the same fact arrives several times: each is applied so that a repeat changes nothing.
/// </summary>
public static class SiteOperationLog
{
    public const string EventPrefix = "site.";

    public static ImmutableDictionary<string, SiteOperationRecord> Empty { get; } = ImmutableDictionary<string, SiteOperationRecord>.Empty;

    public static ImmutableDictionary<string, SiteOperationRecord> Rebuild(IEnumerable<JournalEvent> events) => events.Aggregate(Empty, Evolve);

    public static ImmutableDictionary<string, SiteOperationRecord> Evolve(ImmutableDictionary<string, SiteOperationRecord> ops, JournalEvent e)
    {
        if (e is not ISiteEvent site) return ops;
        if (e is SiteRequested r) return ops.SetItem(r.Operation, Requested(ops.GetValueOrDefault(r.Operation), r));
        // An event of an operation whose request is not in this journal (trimmed, or a foreign log) cannot be placed.
        if (!ops.TryGetValue(site.Operation, out SiteOperationRecord? op)) return ops;
        return ops.SetItem(op.Id, e switch
        {
            SiteApproved a when !op.ApprovedBy.Contains(a.ApprovedBy) => Approved(op, a),
            SiteRejected or SiteExpired or SiteResumed => op with { State = StateOf(e), Detail = e.Reason },
            SiteStarted s => op with
            {
                State = op.State == SiteStates.AwaitingApproval ? SiteStates.Executing : op.State,
                Steps = Put(op.Steps, new SiteServiceStep(s.Service, "moving", s.Kind, s.From, s.To, s.Request, $"{s.Kind} from {s.From} to {s.To} (request {s.Request})")),
            },
            SiteServiceMoved m => op with
            {
                Steps = Put(op.Steps, Moving(op, m.Service) with { Status = "moved", Detail = $"moved from {m.From} to {m.To}, verified (request {m.Request})" }),
                Moved = op.Moved.Any(x => x.Service == m.Service && x.Request == m.Request) ? op.Moved : op.Moved.Add(new SiteMove(m.Service, m.Request, m.From, m.To)),
            },
            SiteFailed f => Failed(op, f),
            SiteRolledBack b => RolledBack(op, b),
            SiteCompleted c => op with
            {
                State = SiteStates.Completed, Detail = c.Reason,
                // Requested, but off the site by its turn: the operation had nothing to do there.
                Steps = [.. op.Steps.Select(s => s.Status == "planned" ? s with { Status = "skipped", Detail = $"not moved: its primary was off {op.Site} by its turn" } : s)],
            },
            _ => op,
        });
    }

    private static SiteOperationRecord Requested(SiteOperationRecord? op, SiteRequested r)
    {
        var step = new SiteServiceStep(r.Service, "planned", r.Kind, r.From, r.Member, null, r.Kind is null ? "planned" : $"{r.Kind} from {r.From} to {r.Member}");
        if (op is not null) return op.Step(r.Service) is null ? op with { Steps = op.Steps.Add(step) } : op;
        return new SiteOperationRecord(r.Operation, r.Site, r.RequestedBy, r.RequestReason ?? r.Reason, r.Time, r.ExpiresAt ?? r.Time + FailoverDefaults.ApprovalTimeout,
            r.ApprovalsNeeded, [], SiteStates.AwaitingApproval,
            r.ApprovalsNeeded == 0 ? "needs no approval" : $"waits for {r.ApprovalsNeeded} approval(s) from people other than {r.RequestedBy}", [step], [], []);
    }

    private static SiteOperationRecord Approved(SiteOperationRecord op, SiteApproved a)
    {
        ImmutableList<string> by = op.ApprovedBy.Add(a.ApprovedBy);
        return op with { ApprovedBy = by, Detail = $"approved by {string.Join(", ", by)} ({by.Count} of {op.ApprovalsNeeded})" };
    }

    private static SiteOperationRecord Failed(SiteOperationRecord op, SiteFailed f)
    {
        SiteServiceStep? at = op.Step(f.Service);
        return op with
        {
            State = op.ToRollBack.Count > 0 ? SiteStates.RollingBack : SiteStates.Failed,
            Detail = f.Reason,
            Steps = at is { Status: "moving" } ? Put(op.Steps, at with { Status = "failed", Detail = f.Reason }) : op.Steps,
        };
    }

    private static SiteOperationRecord RolledBack(SiteOperationRecord op, SiteRolledBack b)
    {
        SiteOperationRecord back = op with
        {
            RolledBack = op.RolledBack.Add(b.Service),
            Steps = Put(op.Steps, Moving(op, b.Service) with { Status = b.Succeeded ? "rolled_back" : "not_rolled_back", Detail = b.Reason }),
        };
        // The last service dealt with ends the rollback: the operation failed, and says where each service is.
        return back.State == SiteStates.RollingBack && back.ToRollBack.Count == 0 ? back with { State = SiteStates.Failed, Detail = $"{op.Detail}; rollback done" } : back;
    }

    private static string StateOf(JournalEvent e) => e switch
    {
        SiteRejected => SiteStates.Rejected,
        SiteExpired => SiteStates.Expired,
        SiteResumed r => r.State,
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.Type),
    };

    private static SiteServiceStep Moving(SiteOperationRecord op, string service) =>
        op.Step(service) ?? new SiteServiceStep(service, "moving", null, null, null, null, "");

    private static ImmutableList<SiteServiceStep> Put(ImmutableList<SiteServiceStep> steps, SiteServiceStep step) =>
        steps.FindIndex(s => s.Service == step.Service) is var i and >= 0 ? steps.SetItem(i, step) : steps.Add(step);
}
