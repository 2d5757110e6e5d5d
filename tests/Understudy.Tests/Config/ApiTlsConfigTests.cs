using Understudy.Config;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Config;

/// <summary>controller.tls and allow_insecure_http: the PEM files are read and matched when the file is loaded.</summary>
public sealed class ApiTlsConfigTests : IDisposable
{
    private const string Token = "alice-token-0123456789";
    private readonly string _folder = Directory.CreateTempSubdirectory("understudy-api-tls-").FullName;

    public ApiTlsConfigTests()
    {
        Certificates.SelfSigned(_folder, "api");
        Certificates.SelfSigned(_folder, "other");
        Certificates.EncryptedKey(_folder, "locked-key");
        Certificates.Authority(_folder, "ca").Dispose();
    }

    /// <summary>Line 4 is <c>tls:</c> when <paramref name="tls"/> is given; services from line 5 (or 4).</summary>
    private ConfigResult Parse(string api, string? tls, bool tokens = true, string extra = "") => ConfigLoader.Parse($$"""
        controller:
          api: {{api}}
          {{(tokens ? """auth: { tokens: [ { name: alice, role: operator, token: "${ALICE_TOKEN}" } ] }""" : "journal: understudy.db")}}
        {{(tls is null ? "" : $"  tls: {tls}\n")}}{{extra}}services:
          web:
            kind: http
            members:
              - { name: web-a, address: 10.0.0.1:8081 }
              - { name: web-b, address: 10.0.0.2:8082 }
            primary: web-a
        """, "understudy.yaml", _folder, name => name == "ALICE_TOKEN" ? Token : null);

    private string[] Errors(ConfigResult result) => [.. result.Errors.Select(e => e.ToString().Replace(_folder, "DIR"))];

    [Fact]
    public void Parse_CertKeyAndCa_ReadBesideTheConfig_AndTheApiIsHttps()
    {
        ConfigResult result = Parse("10.0.0.5:7400", "{ cert: api.pem, key: api-key.pem, ca: ca.pem }");

        Assert.Empty(Errors(result));
        ControllerSpec c = result.Spec!.Controller;
        Assert.Equal(new ApiTlsSpec(Path.Combine(_folder, "api.pem"), Path.Combine(_folder, "api-key.pem"), Path.Combine(_folder, "ca.pem")), c.Tls);
        Assert.Equal("https://10.0.0.5:7400/", c.ApiUrl.ToString());
        Assert.False(c.AllowInsecureHttp);
    }

    [Theory]
    [InlineData("{ cert: missing.pem, key: api-key.pem }", "understudy.yaml:4:16 controller.tls.cert: cannot read DIR/missing.pem: no such file")]
    [InlineData("{ cert: ., key: api-key.pem }", "understudy.yaml:4:16 controller.tls.cert: cannot read DIR: it is a folder")]
    [InlineData("{ cert: api-key.pem, key: api-key.pem }",
        "understudy.yaml:4:16 controller.tls.cert: no PEM certificate (-----BEGIN CERTIFICATE-----) that can be read in DIR/api-key.pem")]
    [InlineData("{ cert: api.pem, key: api.pem }", "understudy.yaml:4:30 controller.tls.key: no PEM private key (-----BEGIN PRIVATE KEY-----) in DIR/api.pem")]
    [InlineData("{ cert: api.pem, key: other-key.pem }",
        "understudy.yaml:4:30 controller.tls.key: DIR/other-key.pem is not the private key of the certificate in controller.tls.cert (DIR/api.pem)")]
    [InlineData("{ cert: api.pem, key: locked-key.pem }",
        "understudy.yaml:4:30 controller.tls.key: DIR/locked-key.pem holds an encrypted key, which the controller cannot open unattended: "
        + "decrypt it (openssl pkey -in KEY -out PLAIN.pem) and let only the controller's user read it")]
    [InlineData("{ cert: api.pem, key: api-key.pem, ca: api-key.pem }",
        "understudy.yaml:4:47 controller.tls.ca: no PEM certificate (-----BEGIN CERTIFICATE-----) that can be read in DIR/api-key.pem")]
    [InlineData("{ cert: api.pem }", "understudy.yaml:4:8 controller.tls.key: required: the certificate's private key (PEM, not encrypted)")]
    [InlineData("{ cert: api.pem, key: api-key.pem, pin: x }", "understudy.yaml:4:43 controller.tls.pin: unknown key (accepted: cert, key, ca)")]
    public void Parse_TlsFileUnusable_OneErrorAtItsKey(string tls, string expected) =>
        Assert.Equal([expected], Errors(Parse("127.0.0.1:7400", tls)));

    [Fact]
    public void Parse_TokensOffLoopbackWithoutTls_RefusedUnlessAllowInsecureHttp()
    {
        Assert.Equal(["understudy.yaml:2:8 controller.api: 10.0.0.5:7400 is reachable from other machines and tokens would cross the network in clear text: "
            + "set controller.tls { cert, key }, or allow_insecure_http: true if a TLS-terminating proxy is all that reaches it"], Errors(Parse("10.0.0.5:7400", null)));

        ConfigResult allowed = Parse("10.0.0.5:7400", null, extra: "  allow_insecure_http: true\n");
        Assert.Empty(Errors(allowed));
        Assert.True(allowed.Spec!.Controller.AllowInsecureHttp);
        Assert.Equal("http://10.0.0.5:7400/", allowed.Spec.Controller.ApiUrl.ToString());
        // On loopback tokens never cross a network.
        Assert.Empty(Errors(Parse("127.0.0.1:7400", null)));
    }

    [Fact]
    public void Parse_NoTokensOffLoopback_StillRefused_TlsOrInsecureHttpNotwithstanding() =>
        Assert.Equal(["understudy.yaml:2:8 controller.api: 10.0.0.5:7400 is reachable from other machines, so the API needs controller.auth.tokens (or listen on 127.0.0.1)"],
            Errors(Parse("10.0.0.5:7400", "{ cert: api.pem, key: api-key.pem }", tokens: false, extra: "  allow_insecure_http: true\n")));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
