using Understudy.Cluster;
using Understudy.Core.Cluster;

namespace Understudy.Api;

/// <summary>
/// <c>GET /api/cluster</c> (the instances, who leads, this one's routing), <c>GET /api/cluster/peer</c> (what a
/// peer whose etcd is unreachable asks, without a token: names and epochs only) and <c>GET /ready</c> (200 while
/// this instance's proxies route, for a VIP or a load balancer in front of several).
/// </summary>
public static class ClusterEndpoints
{
    public static void MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", (IClusterState cluster) => TypedResults.Ok(cluster.View())).RequireAuthorization(Auth.ApiCaller.Policy(Core.Topology.ApiRole.Viewer));
        app.MapGet("/api/cluster/peer", (IClusterState cluster) => TypedResults.Ok(cluster.Report())).AllowAnonymous();
        app.MapGet("/ready", (IClusterState cluster) => cluster.Gate == RouteGate.Open
            ? TypedResults.Ok(new { status = "routing", instance = cluster.Instance })
            : (IResult)TypedResults.Json(new { status = cluster.Gate == RouteGate.Hold ? "holding" : "not_routing", instance = cluster.Instance }, statusCode: 503))
            .AllowAnonymous();
    }
}
