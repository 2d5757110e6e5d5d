using Understudy.Api.Auth;
using Understudy.Core.Topology;

namespace Understudy.Api;

/// <param name="Role">viewer, operator, approver or admin.</param>
public sealed record WhoAmIView(string Name, string Role);

/// <summary>
/// <c>GET /api/whoami</c>: the caller's name and role, so the dashboard offers only what that role may do.
/// With no tokens configured every caller is the anonymous operator with every right.
/// </summary>
public static class WhoAmIEndpoints
{
    public static void MapWhoAmIApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/whoami", (HttpContext http) => new WhoAmIView(ApiCaller.Name(http), ApiCaller.Policy(ApiCaller.Role(http))))
            .RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));
}
