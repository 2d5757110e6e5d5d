using Understudy.Api.Auth;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Hosting;

namespace Understudy.Api;

/// <summary><c>POST /api/services/{s}/pause</c> and <c>/resume</c>: maintenance, during which nothing is failed over automatically.</summary>
public static class MaintenanceEndpoints
{
    public static void MapMaintenanceApi(this IEndpointRouteBuilder app)
    {
        string role = ApiCaller.Policy(ApiRole.Operator);
        app.MapPost("/api/services/{service}/pause", (string service, HttpContext http, Controller controller, CancellationToken ct) =>
            ChangeAsync(service, http, controller, pause: true, ct)).RequireAuthorization(role);
        app.MapPost("/api/services/{service}/resume", (string service, HttpContext http, Controller controller, CancellationToken ct) =>
            ChangeAsync(service, http, controller, pause: false, ct)).RequireAuthorization(role);
    }

    private static async Task<IResult> ChangeAsync(string service, HttpContext http, Controller controller, bool pause, CancellationToken ct)
    {
        if (Problems.UnknownService(controller, service, out ServiceRuntime runtime) is { } missing) return missing;
        var (body, bad) = await Problems.ReadBodyAsync<CommentBody>(http.Request, ct);
        if (bad is not null) return bad;
        string reason = (body!.Reason ?? body.Comment)?.Trim() ?? "";
        if (pause && reason.Length == 0) return Problems.Bad("reason: required: say why the service is paused (it shows in status and alerts)");
        if (reason.Length > RequestEndpoints.MaxReasonLength) return Problems.Bad($"reason: at most {RequestEndpoints.MaxReasonLength} characters");
        string caller = ApiCaller.Name(http);
        Decision decision = await runtime.Loop.SubmitAsync(pause ? new Paused(caller, reason) : new Resumed(caller, reason), ct);
        if (decision.Refused is { } refused) return Problems.Of(refused);
        return TypedResults.Ok(StatusViews.From(decision.State, runtime.Proxy));
    }
}
