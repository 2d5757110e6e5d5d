using Understudy.Failover;
using Understudy.Hosting;

namespace Understudy.Api;

/// <summary>
/// For load balancers, without a token: <c>GET /health</c> (the controller answers, and its journal takes writes) and
/// <c>GET /services/{s}/members/{m}/primary</c>, 200 only for the member traffic may reach now, 503
/// otherwise, so HAProxy's <c>option httpchk</c> can route on it.
/// </summary>
public static class HealthEndpoints
{
    public static void MapHealthApi(this IEndpointRouteBuilder app)
    {
        // A controller whose journal takes no writes answers but cannot decide or act: not healthy.
        app.MapGet("/health", (Controller controller, Journal.JournalHealth journal) => journal.Now is { Writable: false } down
                ? Results.Json(new { status = "journal_unavailable", cause = down.Cause, since = down.Since, version = Controller.Version, started_at = controller.StartedAt },
                    statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Ok(new { status = "ok", version = Controller.Version, started_at = controller.StartedAt }))
            .AllowAnonymous();
        app.MapGet("/services/{service}/members/{member}/primary", (string service, string member, Controller controller) =>
        {
            if (Problems.UnknownService(controller, service, out ServiceRuntime runtime) is { } missing) return (IResult)missing;
            if (runtime.Spec.Members.All(m => m.Name != member)) return Problems.NotFound($"member: service {service} has no member '{member}'");
            var state = runtime.Loop.State;
            return state.Routable == member
                ? TypedResults.Ok(new { service, member, role = "primary", epoch = state.Epoch })
                : TypedResults.Json(new { service, member, role = member == state.Primary ? "primary_not_routable" : "standby", epoch = state.Epoch }, statusCode: 503);
        }).AllowAnonymous();
    }
}
