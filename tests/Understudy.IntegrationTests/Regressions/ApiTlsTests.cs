using System.Net;
using Understudy.Api;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13, item 13: the API spoke plain HTTP only, so tokens crossed the network in clear text. Now
/// <c>controller.tls</c> serves HTTPS with HTTP/2, the CLI trusts what the config names, and tokens on a
/// non-loopback address without TLS are a config error.
/// </summary>
[Collection(RealProcesses.Name)]
public class ApiTlsTests
{
    private const string Token = "alice-0123456789abcdef";
    private static readonly Dictionary<string, string> Environment = new() { ["ALICE_TOKEN"] = Token, ["UNDERSTUDY_TOKEN"] = Token };
    private const string Auth = """auth: { tokens: [ { name: alice, role: admin, token: "${ALICE_TOKEN}" } ] }""";

    [Fact]
    public async Task Tls_ApiAnswersHttp2OverTls_TheCliTrustsTheConfiguredCertificateOrCacert()
    {
        using var certificates = new TempDir();
        var (cert, key) = SelfSignedCertificate.Write(certificates.Path);
        await using var pair = await WebPair.StartAsync(controllerExtra: $"{Auth}\n  tls: {{ cert: {cert}, key: {key} }}");
        await using var controller = await pair.StartControllerAsync(Token, Environment, caCert: cert);
        string url = $"https://127.0.0.1:{pair.ApiPort}";

        ApiTrust trust = ApiTrust.Read([cert], out _)!;
        using var http2 = new HttpClient(trust.Apply(new SocketsHttpHandler()))
        {
            DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using HttpResponseMessage health = await http2.GetAsync($"{url}/health");
        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (health.StatusCode, health.Version));
        using var plain = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{pair.ApiPort}/health"));

        var fromConfig = await CliRunner.RunAsync(Environment, "status", "-c", pair.Config);
        Assert.True(fromConfig.ExitCode == 0, fromConfig.Err);
        Assert.Contains($"at {url}/", fromConfig.Out);
        var untrusted = await CliRunner.RunAsync(Environment, "status", "--api", url);
        Assert.Equal(1, untrusted.ExitCode);
        Assert.Contains("presented a certificate this machine does not trust: pass --cacert FILE", untrusted.Err);
        var pinned = await CliRunner.RunAsync(Environment, "status", "--api", url, "--cacert", cert);
        Assert.True(pinned.ExitCode == 0, pinned.Err);
    }

    [Fact]
    public async Task Validate_TokensOnANonLoopbackAddressWithoutTls_Exit2UnlessAllowInsecureHttp()
    {
        using var dir = new TempDir();
        async Task<string> ConfigAsync(string extra)
        {
            await File.WriteAllTextAsync(dir.File("u.yaml"), $$"""
                controller:
                  api: 0.0.0.0:7400
                  {{Auth}}
                  {{extra}}
                services:
                  web:
                    kind: http
                    members:
                      - { name: web-a, address: 127.0.0.1:8081 }
                      - { name: web-b, address: 127.0.0.1:8082 }
                    primary: web-a
                """);
            return dir.File("u.yaml");
        }

        var refused = await CliRunner.RunAsync(Environment, "validate", "-c", await ConfigAsync(""));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("u.yaml:2:8 controller.api: 0.0.0.0:7400 is reachable from other machines and tokens would cross the network in clear text: "
            + "set controller.tls { cert, key }, or allow_insecure_http: true", refused.Err);
        Assert.Equal(0, (await CliRunner.RunAsync(Environment, "validate", "-c", await ConfigAsync("allow_insecure_http: true"))).ExitCode);
    }
}
