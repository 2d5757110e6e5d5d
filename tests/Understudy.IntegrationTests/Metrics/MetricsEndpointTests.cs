using System.Net;
using System.Net.Http.Headers;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Metrics;

[Collection(RealProcesses.Name)]
public class MetricsEndpointTests
{
    private static readonly (string, string) Web = ("service", "web");

    [Fact]
    public async Task Metrics_PrimaryKilled_FailoverCountersEpochAndHistogramsMove()
    {
        await using var pair = await WebPair.StartAsync(targets: "{ rto: 5s }");
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);
        using (var http = new HttpClient { DefaultRequestHeaders = { ConnectionClose = true } })
            for (int i = 0; i < 5; i++) (await http.GetAsync(pair.ProxyUrl)).EnsureSuccessStatusCode();

        MetricsPage before = await Eventually.GetAsync(async () => await MetricsPage.ReadAsync(pair.ApiPort) is var p
            && p.Value("understudy_proxy_connections_total", Web) >= 5 ? p : null, "the proxy's connections counted");
        Assert.Equal(0, before.Value("understudy_failovers_total", Web, ("kind", "failover"), ("result", "completed")));
        Assert.Equal(1, before.Value("understudy_service_epoch", Web));
        Assert.Equal(0, before.Value("understudy_failover_duration_seconds_count", Web, ("kind", "failover"), ("phase", "total")));
        Assert.Equal(1, before.Value("understudy_member_up", Web, ("member", "web-a")));
        Assert.Equal(1, before.Value("understudy_member_routable", Web, ("member", "web-a")));
        Assert.Equal(1, before.Value("understudy_healthy_failover_targets", Web));
        Assert.Equal(5, before.Value("understudy_service_rto_target_seconds", Web));
        Assert.True(before.Value("understudy_proxy_bytes_total", Web, ("direction", "out")) > 0);
        Assert.Null(before.Value("understudy_failover_last_rto_estimate_seconds", Web));
        double checksBefore = CheckCount(before, "web-b");
        Assert.True(checksBefore > 0, "web-b's checks are counted");

        pair.A.Kill();
        MetricsPage after = await Eventually.GetAsync(async () => await MetricsPage.ReadAsync(pair.ApiPort) is var p
            && p.Value("understudy_failovers_total", Web, ("kind", "failover"), ("result", "completed")) == 1 ? p : null, "the failover counted");

        Assert.Equal(2, after.Value("understudy_service_epoch", Web));
        Assert.Equal(1, after.Value("understudy_failover_duration_seconds_count", Web, ("kind", "failover"), ("phase", "total")));
        Assert.Equal(1, after.Value("understudy_failover_duration_seconds_count", Web, ("kind", "failover"), ("phase", "fence")));
        Assert.Equal(0, after.Value("understudy_failovers_total", Web, ("kind", "failover"), ("result", "failed")));
        Assert.Equal(1, after.Value("understudy_member_routable", Web, ("member", "web-b")));
        Assert.Equal(0, after.Value("understudy_member_up", Web, ("member", "web-a")));
        Assert.Equal(0, after.Value("understudy_healthy_failover_targets", Web)); // web-a awaits rejoin
        Assert.True(after.Value("understudy_alerts_raised_total", Web, ("severity", "warning")) >= 1);
        // Killed by SIGKILL: detection to switch within interval × fall + timeout + margin (200 ms × 3 + 150 ms + 1 s).
        double estimate = after.Value("understudy_failover_last_rto_estimate_seconds", Web) ?? double.NaN;
        Assert.InRange(estimate, 0, 1.75);
        Assert.True(CheckCount(after, "web-b") > checksBefore, "web-b's checks keep being counted");
    }

    [Fact]
    public async Task Metrics_WithTokens_NeedsAViewerToken()
    {
        var tokens = new Dictionary<string, string> { ["PROMETHEUS_TOKEN"] = "prometheus-token-1234567890" };
        await using var pair = await WebPair.StartAsync(controllerExtra: """auth: { tokens: [ { name: prometheus, role: viewer, token: "${PROMETHEUS_TOKEN}" } ] }""");
        await using var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort, token: tokens["PROMETHEUS_TOKEN"], environment: tokens);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics")).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-ours") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

        MetricsPage page = await MetricsPage.ReadAsync(pair.ApiPort, tokens["PROMETHEUS_TOKEN"]);
        Assert.Equal(1, page.Value("understudy_controller_leader"));
    }

    private static double CheckCount(MetricsPage page, string member) =>
        page.Value("understudy_member_check_duration_seconds_count", Web, ("member", member)) ?? 0;
}
