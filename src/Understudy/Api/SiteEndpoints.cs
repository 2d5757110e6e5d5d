using Understudy.Api.Auth;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using Understudy.Core.Topology;
using Understudy.Sites;

namespace Understudy.Api;

/// <summary>The body of <c>POST /api/sites/{site}/failover</c>.</summary>
public sealed record SiteFailoverBody(string? Reason, bool DryRun = false);

/// <summary>A site failover's plan (<c>dry_run: true</c>), or why it is refused.</summary>
public sealed record SitePlanView(string Site, int ApprovalsNeeded, IReadOnlyList<SiteStepView> Steps, bool DryRun = true);

/// <summary>A declared site: its services in failover order, the approvals its failover needs, its newest operations first.</summary>
public sealed record SiteView(string Name, IReadOnlyList<string> Services, int ApprovalsNeeded, IReadOnlyList<SiteOperationView> Operations);

/// <summary>Site failovers: asked by an operator, approved by approvers other than the requester, carried out by <see cref="SiteOperations"/>.</summary>
public static class SiteEndpoints
{
    /// <summary>How many of a site's operations <c>GET /api/sites</c> shows.</summary>
    public const int OperationsShown = 20;

    public static void MapSiteApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sites", (UnderstudySpec spec, SiteOperations sites) =>
        {
            IReadOnlyList<SiteOperationView> operations = sites.List();
            return Results.Json(spec.SiteList.Select(site => new SiteView(site.Name, site.Services, site.ApprovalsNeeded(spec.Services),
                [.. operations.Where(op => op.Site == site.Name).Take(OperationsShown)])), ApiJson.Options);
        }).RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));
        app.MapPost("/api/sites/{site}/failover", FailoverAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Operator));
        app.MapGet("/api/sites/operations/{id}", (string id, SiteOperations sites) =>
            sites.Get(id) is { } view ? Results.Ok(view) : Problems.NotFound($"id: no site operation '{id}' in the journal"))
            .RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));
        app.MapPost("/api/sites/operations/{id}/approve", ApproveAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Approver));
        // The requester may withdraw their own; rejecting another's needs the approver role (checked inside).
        app.MapPost("/api/sites/operations/{id}/reject", RejectAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Operator));
    }

    private static async Task<IResult> FailoverAsync(string site, HttpContext http, UnderstudySpec spec, SiteOperations sites, CancellationToken ct)
    {
        if (spec.Site(site) is not { } siteSpec)
            return Problems.NotFound($"site: no site '{site}' (sites: {(spec.SiteList.IsEmpty ? "none declared" : string.Join(", ", spec.SiteList.Select(s => s.Name)))})");
        var (body, bad) = await Problems.ReadBodyAsync<SiteFailoverBody>(http.Request, ct);
        if (bad is not null) return bad;
        string reason = body!.Reason?.Trim() ?? "";
        if (reason.Length == 0) return Problems.Bad("reason: required: say why, it is journaled with the operation and each of its requests");
        if (reason.Length > RequestEndpoints.MaxReasonLength) return Problems.Bad($"reason: at most {RequestEndpoints.MaxReasonLength} characters");
        SitePlan plan = sites.Plan(siteSpec);
        if (plan.Refused is { } refused) return Problems.Conflict(refused);
        if (body.DryRun)
            return Results.Ok(new SitePlanView(site, plan.ApprovalsNeeded,
                [.. plan.Steps.Select(s => new SiteStepView(s.Service, s.From, s.Kind?.Text(), s.To, null, s.Moves ? "planned" : "skipped", s.Why))]));
        if (!plan.Moves.Any()) return Problems.Conflict($"site failover of {site} refused: no service has its primary in {site} ({string.Join("; ", plan.Steps.Select(s => $"{s.Service}: {s.Why}"))})");
        SiteOperationView view = await sites.StartAsync(siteSpec, plan, reason, ApiCaller.Name(http), ct);
        return Results.Json(view, ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> RejectAsync(string id, HttpContext http, SiteOperations sites, CancellationToken ct)
    {
        var (body, bad) = await Problems.ReadBodyAsync<CommentBody>(http.Request, ct);
        if (bad is not null) return bad;
        string comment = body!.Comment?.Trim() ?? "";
        if (comment.Length > RequestEndpoints.MaxReasonLength) return Problems.Bad($"comment: at most {RequestEndpoints.MaxReasonLength} characters");
        var (refused, view) = await sites.RejectAsync(id, ApiCaller.Name(http), ApiCaller.Role(http) >= ApiRole.Approver, comment, ct);
        return refused is not null ? Problems.Of(refused) : Results.Json(view, ApiJson.Options);
    }

    private static async Task<IResult> ApproveAsync(string id, HttpContext http, SiteOperations sites, CancellationToken ct)
    {
        var (body, bad) = await Problems.ReadBodyAsync<CommentBody>(http.Request, ct);
        if (bad is not null) return bad;
        string comment = body!.Comment?.Trim() ?? "";
        if (comment.Length > RequestEndpoints.MaxReasonLength) return Problems.Bad($"comment: at most {RequestEndpoints.MaxReasonLength} characters");
        var (refused, view) = await sites.ApproveAsync(id, ApiCaller.Name(http), comment, ct);
        return refused is not null ? Problems.Of(refused) : Results.Json(view, ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
    }
}
