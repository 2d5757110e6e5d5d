using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Api.Auth;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Api;

/// <summary>
/// Switchover and failover requests, their approval and rejection, and the list of them. The decider
/// checks and records each one (rule 6 lives there); this layer parses, names the caller and answers.
/// </summary>
public static class RequestEndpoints
{
    internal const int MaxReasonLength = 500;

    public static void MapRequestApi(this IEndpointRouteBuilder app)
    {
        string operatorRole = ApiCaller.Policy(ApiRole.Operator), approver = ApiCaller.Policy(ApiRole.Approver);
        app.MapPost("/api/services/{service}/switchover", (string service, HttpContext http, Controller controller, IJournal journal, CancellationToken ct) =>
            RequestAsync(RequestKind.Switchover, service, http, controller, journal, ct)).RequireAuthorization(operatorRole);
        app.MapPost("/api/services/{service}/failover", (string service, HttpContext http, Controller controller, IJournal journal, CancellationToken ct) =>
            RequestAsync(RequestKind.Failover, service, http, controller, journal, ct)).RequireAuthorization(operatorRole);
        app.MapPost("/api/requests/{id}/approve", (string id, HttpContext http, Controller controller, IJournal journal, CancellationToken ct) =>
            DecideAsync(id, approve: true, http, controller, journal, ct)).RequireAuthorization(approver);
        // The requester may withdraw their own request; rejecting another's needs the approver role (checked inside).
        app.MapPost("/api/requests/{id}/reject", (string id, HttpContext http, Controller controller, IJournal journal, CancellationToken ct) =>
            DecideAsync(id, approve: false, http, controller, journal, ct)).RequireAuthorization(operatorRole);
        app.MapGet("/api/requests", ListAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));
        app.MapGet("/api/requests/{id}", GetAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));
    }

    private static async Task<IResult> RequestAsync(RequestKind kind, string service, HttpContext http, Controller controller, IJournal journal, CancellationToken ct)
    {
        if (Problems.UnknownService(controller, service, out ServiceRuntime runtime) is { } missing) return missing;
        var (body, bad) = await Problems.ReadBodyAsync<ChangeBody>(http.Request, ct);
        if (bad is not null) return bad;
        string reason = body!.Reason?.Trim() ?? "";
        if (reason.Length == 0) return Problems.Bad("reason: required: say why, it is journaled with the request");
        if (reason.Length > MaxReasonLength) return Problems.Bad($"reason: at most {MaxReasonLength} characters");
        string? to = string.IsNullOrWhiteSpace(body.To) ? null : body.To.Trim();
        if (to is not null && runtime.Spec.Members.All(m => m.Name != to))
            return Problems.NotFound($"to: service {service} has no member '{to}' (members: {string.Join(", ", runtime.Spec.Members.Select(m => m.Name))})");

        ScheduledWindow? window = null;
        if (body.At is not null || body.InWindow)
        {
            if (kind != RequestKind.Switchover) return Problems.Bad($"{(body.At is not null ? "at" : "in_window")}: only a switchover can be scheduled; a failover replaces a primary that is down now");
            if (body.At is not null && body.InWindow) return Problems.Bad("at: give at or in_window, not both");
            if (body.InWindow && runtime.Spec.Maintenance is not { } maintenance)
                return Problems.Bad($"in_window: services.{service}.maintenance is not set, so {service} has no window");
            string whyNotAt = "";
            window = body.InWindow ? MaintenanceWindows.Next(runtime.Spec.Maintenance!, DateTimeOffset.UtcNow) : MaintenanceWindows.At(body.At!, DateTimeOffset.UtcNow, out whyNotAt);
            if (window is null) return Problems.Bad($"at: {whyNotAt}");
        }

        // The switchover stops and starts the old primary with pg_ctl on its data_dir here: with several controllers that is
        // whichever instance leads, not the primary's host (as for the built-in rejoin).
        if (kind == RequestKind.Switchover && runtime.Spec.Kind == ServiceKind.Postgres && http.RequestServices.GetRequiredService<ControllerSpec>().Coordination is not null)
            return Problems.Conflict($"switchover of {service} refused: with several controllers, pg_ctl would stop the primary's data_dir on whichever instance leads, "
                + "not on the primary's host; stop the primary yourself and request a failover");

        string caller = ApiCaller.Name(http);
        if (body.Force && ApiCaller.Role(http) < ApiRole.Admin)
            return Problems.Of(new Refusal(RefusalKind.Forbidden, $"force: {caller} has role {ApiCaller.Policy(ApiCaller.Role(http))}; a forced failover accepts losing writes or two writable primaries, so this needs admin"));
        if (body.DryRun)
        {
            ServiceState state = runtime.Loop.State;
            string target, whyNot;
            if (body.Force ? !ChangeChecks.TryForce(state, kind, to, out target, out whyNot) : !ChangeChecks.TryTarget(state, kind, to, out target, out whyNot))
                return Problems.Conflict($"{(body.Force ? "forced " : "")}{kind.Text()} of {service} refused: {whyNot}");
            string from = state.Failover?.From ?? state.Primary;
            return TypedResults.Ok(new PlanView(service, kind.Text(), from, target, state.Spec.Failover.Approvals, ChangeChecks.Steps(state, kind, target, caller, body.Force),
                PlanCommands.For(state.Spec, kind, from, target, state.Failover?.Epoch ?? state.Epoch + 1)));
        }

        string id = $"r-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        Decision decision = await runtime.Loop.SubmitAsync(new ChangeRequested(id, kind, to, reason, caller, body.Force, window), ct);
        if (decision.Refused is { } refused) return Problems.Of(refused);
        return TypedResults.Json(await ViewAsync(controller, journal, service, id, ct), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> DecideAsync(string id, bool approve, HttpContext http, Controller controller, IJournal journal, CancellationToken ct)
    {
        var (body, bad) = await Problems.ReadBodyAsync<CommentBody>(http.Request, ct);
        if (bad is not null) return bad;
        string comment = body!.Comment?.Trim() ?? "";
        if (comment.Length > MaxReasonLength) return Problems.Bad($"comment: at most {MaxReasonLength} characters");

        // The journal knows every request, finished ones too: a late answer gets "it was completed", not "unknown".
        RequestView? known = (await History(journal, null, ct)).FirstOrDefault(r => r.Id == id);
        if (known is null) return Problems.NotFound($"id: no request '{id}'");
        if (known.State is not ("awaiting_approval" or "scheduled" or "executing"))
            return Problems.Conflict($"request {id} is already {known.State.Replace('_', ' ')}: {known.Detail}");
        string caller = ApiCaller.Name(http);
        if (!approve && caller != known.RequestedBy && ApiCaller.Role(http) < ApiRole.Approver)
            return TypedResults.Problem($"{caller} may withdraw only their own requests; rejecting {known.RequestedBy}'s needs approver", statusCode: 403, title: "Forbidden");

        if (controller.Services.FirstOrDefault(s => s.Spec.Name == known.Service) is not { } runtime)
            return Problems.Conflict($"request {id} is for service {known.Service}, which the config no longer has");
        Input input = approve ? new ApprovalGiven(id, caller, comment) : new RejectionGiven(id, caller, comment);
        Decision decision = await runtime.Loop.SubmitAsync(input, ct);
        if (decision.Refused is { } refused) return Problems.Of(refused);
        RequestView view = await ViewAsync(controller, journal, known.Service, id, ct);
        return approve ? TypedResults.Json(view, statusCode: StatusCodes.Status202Accepted) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<RequestsPage>, ProblemHttpResult>> ListAsync(string? service, string? state, Controller controller, IJournal journal, CancellationToken ct)
    {
        service = string.IsNullOrEmpty(service) ? null : service;
        if (service is not null && Problems.UnknownService(controller, service, out _) is { } missing) return missing;
        string[] states = [.. Enum.GetValues<RequestState>().Select(s => s.Text())];
        if (!string.IsNullOrEmpty(state) && !states.Contains(state)) return Problems.Bad($"state: expected one of {string.Join(", ", states)}, got '{state}'");
        var all = await History(controller, journal, service, ct);
        return TypedResults.Ok(new RequestsPage([.. all.Where(r => string.IsNullOrEmpty(state) || r.State == state)]));
    }

    private static async Task<Results<Ok<RequestView>, ProblemHttpResult>> GetAsync(string id, Controller controller, IJournal journal, CancellationToken ct)
    {
        if ((await History(journal, null, ct)).FirstOrDefault(r => r.Id == id) is not { } view) return Problems.NotFound($"id: no request '{id}'");
        await controller.PublishedAsync(view.Service, ct);
        return TypedResults.Ok(view);
    }

    private static async Task<RequestView> ViewAsync(Controller controller, IJournal journal, string service, string id, CancellationToken ct) =>
        (await History(controller, journal, service, ct)).First(r => r.Id == id);

    /// <summary>Answered once the status shows what the requests did: a request seen completed has its new primary in the status.</summary>
    private static async Task<IReadOnlyList<RequestView>> History(Controller controller, IJournal journal, string? service, CancellationToken ct)
    {
        var history = await History(journal, service, ct);
        await controller.PublishedAsync(service, ct);
        return history;
    }

    private static async Task<IReadOnlyList<RequestView>> History(IJournal journal, string? service, CancellationToken ct) =>
        RequestHistory.From(await journal.ReadAsync(new JournalQuery(service, TypePrefix: RequestHistory.EventPrefix), ct));
}
