using System.Net;
using System.Text;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Etcd;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>
/// Instances whose APIs speak HTTPS (controller.tls), each with its own certificate from one CA: a follower forwards
/// a write to the leader over HTTPS, trusting it through controller.tls.ca, and one without the CA refuses to.
/// </summary>
[Collection(RealProcesses.Name)]
public class ClusterTlsTests
{
    [Fact]
    public async Task WriteToAFollower_ForwardedOverHttps_OnlyByAnInstanceThatTrustsTheLeadersCertificate()
    {
        using var folder = new TempDir();
        var certs = TestCertificates.Write(folder.Path);
        string Tls(string name) => name switch
        {
            "ctl-a" => $"tls: {{ cert: {certs.ServerCert}, key: {certs.ServerKey}, ca: {certs.Ca} }}",
            "ctl-b" => $"tls: {{ cert: {certs.PeerCert}, key: {certs.PeerKey}, ca: {certs.Ca} }}",
            _ => $"tls: {{ cert: {certs.PeerCert}, key: {certs.PeerKey} }}", // trusts its own certificate only
        };
        await using var cluster = await WebCluster.StartAsync(controllerExtra: Tls, caCert: certs.Ca);
        Assert.Equal("ctl-a", await cluster.LeaderAsync());

        using HttpResponseMessage paused = await cluster["ctl-b"].Http.PostAsync("/api/services/web/pause", Json("""{"reason":"kernel update"}"""));
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.NotNull((await cluster["ctl-a"].ServiceAsync("web")).Paused);

        using HttpResponseMessage refused = await cluster["ctl-c"].Http.PostAsync("/api/services/web/resume", Json("{}"));
        string body = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("which did not answer; this instance's log says why", body);
        Assert.DoesNotContain("SSL", body);
        Assert.NotNull((await cluster["ctl-a"].ServiceAsync("web")).Paused);
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
