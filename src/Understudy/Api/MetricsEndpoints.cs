using Understudy.Hosting;
using Understudy.Metrics;

namespace Understudy.Api;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format. It needs the viewer role when tokens are configured,
/// like the rest of the read API: Prometheus sends one as a bearer token (<c>authorization</c> in its scrape_config).
/// </summary>
public static class MetricsEndpoints
{
    public static void MapMetricsApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", (Controller controller, ControllerMetrics metrics, Cluster.IClusterState cluster) => Results.Text(metrics.Render(controller, cluster), PrometheusText.ContentType))
            .RequireAuthorization(Auth.ApiCaller.Policy(Core.Topology.ApiRole.Viewer));
}
