using System.Collections.Immutable;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Api.Auth;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Api;

/// <summary>The body of <c>POST /api/drills/requests</c> and <c>POST /api/drills/authorize</c>: which drill file, by its SHA-256.</summary>
public sealed record DrillRequestBody(string? Service, string? Name, string? Digest, string? Reason = null, bool Standing = false);

/// <summary>A drill request as the API shows it; <see cref="State"/>: awaiting_approval, approved, used, expired.</summary>
public sealed record DrillRequestView(string Id, string Service, string Name, string Digest, string State, string Reason, string RequestedBy,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int ApprovalsNeeded, IReadOnlyList<string> ApprovedBy, string? UsedBy, DateTimeOffset? UsedAt, bool Standing)
{
    public static DrillRequestView From(DrillApproval d, DateTimeOffset now) => new(d.Id, d.Service, d.Name, d.Digest, d.State(now), d.Why, d.RequestedBy,
        d.CreatedAt, d.ExpiresAt, d.ApprovalsNeeded, d.ApprovedBy, d.UsedBy, d.UsedAt, d.Standing);
}

/// <summary>What <c>POST /api/drills/authorize</c> answers: whether the service needs an approval at all, and the request the run used.</summary>
public sealed record DrillAuthorizationView(bool ApprovalNeeded, DrillRequestView? Request);

/// <summary>
/// Production drills on a service whose failover needs approvals: the same two-person rule as a failover. A request binds the
/// drill's name and its file's SHA-256; approvers other than the requester approve it; the run then uses it, once. Every
/// answer is folded from the journal (<see cref="DrillApprovals"/>); deciding is one at a time on the instance asked.
/// </summary>
public static class DrillApprovalEndpoints
{
    private static readonly SemaphoreSlim Deciding = new(1, 1);

    public static void MapDrillApprovalApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/drills/requests", RequestAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Operator));
        app.MapGet("/api/drills/requests/{id}", GetAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));
        app.MapPost("/api/drills/requests/{id}/approve", ApproveAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Approver));
        app.MapPost("/api/drills/authorize", AuthorizeAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Operator));
    }

    private static async Task<IResult> RequestAsync(HttpContext http, Controller controller, IJournal journal, TimeProvider time, CancellationToken ct)
    {
        var (body, bad) = await Problems.ReadBodyAsync<DrillRequestBody>(http.Request, ct);
        if (bad is not null) return bad;
        if (Check(body!, controller, out var runtime) is { } wrong) return wrong;
        string reason = body!.Reason?.Trim() ?? "";
        if (reason.Length == 0) return Problems.Bad("reason: required: say why the drill should run in production; it is journaled with the request");
        if (reason.Length > RequestEndpoints.MaxReasonLength || reason.Any(char.IsControl))
            return Problems.Bad($"reason: at most {RequestEndpoints.MaxReasonLength} characters, without control characters (NUL, newlines)");
        var failover = runtime.Spec.Failover;
        if (failover.Approvals == 0)
            return Problems.Conflict($"service {runtime.Spec.Name} needs no approvals (failover.approvals is 0): run the drill with --confirm-production alone");
        string id = DrillApprovals.IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        string name = body.Name!.Trim();
        DateTimeOffset now = time.GetUtcNow();
        var requested = new DrillRequested(id, name, body.Digest!, failover.Approvals, now + failover.ApprovalWindow, reason, body.Standing)
        {
            Actor = ApiCaller.Name(http), Time = now,
            Reason = $"drill request {id}: production drill '{name}' (sha256 {body.Digest![..12]}…) awaits {failover.Approvals} approval(s)"
                + (body.Standing ? " for every scheduled run of this file" : "") + $": {reason}",
        };
        await controller.NoteAsync(runtime.Spec.Name, requested, ct);
        DrillApproval made = (await FoldAsync(journal, runtime.Spec.Name, ct))[id];
        return Results.Json(DrillRequestView.From(made, now), ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(string id, IJournal journal, TimeProvider time, CancellationToken ct) =>
        (await FoldAsync(journal, null, ct)).TryGetValue(id, out DrillApproval? d)
            ? Results.Json(DrillRequestView.From(d, time.GetUtcNow()), ApiJson.Options)
            : Problems.NotFound($"id: no drill request '{id}' in the journal");

    private static async Task<IResult> ApproveAsync(string id, HttpContext http, Controller controller, IJournal journal, TimeProvider time, CancellationToken ct)
    {
        var (body, bad) = await Problems.ReadBodyAsync<CommentBody>(http.Request, ct);
        if (bad is not null) return bad;
        string comment = body!.Comment?.Trim() ?? "";
        if (comment.Length > RequestEndpoints.MaxReasonLength) return Problems.Bad($"comment: at most {RequestEndpoints.MaxReasonLength} characters");
        string approver = ApiCaller.Name(http);
        await Deciding.WaitAsync(ct);
        try
        {
            if (!(await FoldAsync(journal, null, ct)).TryGetValue(id, out DrillApproval? d)) return Problems.NotFound($"id: no drill request '{id}' in the journal");
            DateTimeOffset now = time.GetUtcNow();
            if (DrillApprovals.CannotApprove(d, approver, now) is { } refused) return Problems.Of(refused);
            await controller.NoteAsync(d.Service, new DrillApproved(id, comment.Length == 0 ? null : comment)
            {
                Actor = approver, Time = now,
                Reason = $"drill request {id} for '{d.Name}' approved by {approver} ({d.ApprovedBy.Length + 1}/{d.ApprovalsNeeded})" + (comment.Length > 0 ? $": {comment}" : ""),
            }, ct);
            return Results.Json(DrillRequestView.From((await FoldAsync(journal, d.Service, ct))[id], now), ApiJson.Options);
        }
        finally { Deciding.Release(); }
    }

    /// <summary>A production drill about to run: uses the oldest approved request for its file, or says why it may not run (409).</summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext http, Controller controller, IJournal journal, TimeProvider time, CancellationToken ct)
    {
        var (body, bad) = await Problems.ReadBodyAsync<DrillRequestBody>(http.Request, ct);
        if (bad is not null) return bad;
        if (Check(body!, controller, out var runtime) is { } wrong) return wrong;
        if (runtime.Spec.Failover.Approvals == 0) return Results.Json(new DrillAuthorizationView(false, null), ApiJson.Options);
        string service = runtime.Spec.Name, name = body!.Name!.Trim();
        await Deciding.WaitAsync(ct);
        try
        {
            var all = (await FoldAsync(journal, service, ct)).Values;
            DateTimeOffset now = time.GetUtcNow();
            // A scheduled run (standing: true) uses its schedule's standing approval, never a one-run request meant for a person's run.
            DrillApproval? usable = body.Standing
                ? DrillApprovals.Standing(all, service, name, body.Digest!, now)
                : DrillApprovals.Usable(all, service, name, body.Digest!, now);
            if (usable is not { } d)
                return Problems.Conflict(DrillApprovals.Refusal(body.Standing ? all.Where(a => a.Standing) : all, service, name, body.Digest!, now));
            await controller.NoteAsync(service, new DrillApprovalUsed(d.Id, d.Digest)
            {
                Actor = ApiCaller.Name(http), Time = now,
                Reason = $"production drill '{name}' runs on drill request {d.Id} (approved by {string.Join(", ", d.ApprovedBy)})"
                    + (d.Standing ? "; it is standing: it allows every run of this file" : "; it cannot be used again"),
            }, ct);
            return Results.Json(new DrillAuthorizationView(true, DrillRequestView.From((await FoldAsync(journal, service, ct))[d.Id], now)), ApiJson.Options);
        }
        finally { Deciding.Release(); }
    }

    private static ProblemHttpResult? Check(DrillRequestBody body, Controller controller, out ServiceRuntime runtime)
    {
        runtime = null!;
        if (string.IsNullOrWhiteSpace(body.Service)) return Problems.Bad("service: required: the service the drill runs against");
        if (Problems.UnknownService(controller, body.Service, out runtime) is { } missing) return missing;
        string name = body.Name?.Trim() ?? "";
        if (name.Length == 0) return Problems.Bad("name: required: the drill's name");
        if (name.Length > RequestEndpoints.MaxReasonLength || name.Any(char.IsControl))
            return Problems.Bad($"name: at most {RequestEndpoints.MaxReasonLength} characters, without control characters (NUL, newlines)");
        if (body.Digest is not { Length: 64 } digest || !digest.All(Uri.IsHexDigit) || digest.Any(char.IsUpper))
            return Problems.Bad($"digest: expected the drill file's SHA-256 as 64 lowercase hex digits, got '{body.Digest}'");
        return null;
    }

    private static async Task<ImmutableDictionary<string, DrillApproval>> FoldAsync(IJournal journal, string? service, CancellationToken ct) =>
        DrillApprovals.Fold(await journal.ReadAsync(new JournalQuery(Service: service, TypePrefix: "drill."), ct));
}
