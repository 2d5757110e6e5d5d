using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Understudy.Api;
using Understudy.Cli;
using Understudy.Core.Topology;
using Understudy.Hosting;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Api;

/// <summary>Which API certificates a client accepts, over real TLS: the system's, a pinned one, or one its CA signed for the host dialled.</summary>
public sealed class ApiTrustTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("understudy-trust-").FullName;
    private readonly List<WebApplication> _servers = [];

    /// <summary>An API on 127.0.0.1 with this certificate; its port.</summary>
    private async Task<int> ServeAsync((string Cert, string Key) pair)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.UseHttps(ApiCertificate.Load(new ApiTlsSpec(pair.Cert, pair.Key)));
        }));
        WebApplication app = builder.Build();
        app.MapGet("/api/whoami", () => new WhoAmIView("alice", "viewer"));
        await app.StartAsync();
        _servers.Add(app);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
    }

    private async Task<string> AskAsync(string host, int port, params string[] trusted)
    {
        ApiTrust trust = ApiTrust.Read([.. trusted.Select(f => Path.Combine(_folder, f))], out string whyNot) ?? throw new InvalidOperationException(whyNot);
        using var client = new ApiClient(new Uri($"https://{host}:{port}/"), "t", trust: trust);
        try { return (await client.GetAsync<WhoAmIView>("api/whoami", CancellationToken.None)).Name; }
        catch (ApiException e) { return e.Message; }
    }

    [Fact]
    public async Task SelfSigned_TrustedOnlyWhenPinned_WhateverNameIsDialled()
    {
        int port = await ServeAsync(Certificates.SelfSigned(_folder, "api"));

        Assert.Contains("presented a certificate this machine does not trust: pass --cacert FILE", await AskAsync("127.0.0.1", port));
        Assert.Equal("alice", await AskAsync("127.0.0.1", port, "api.pem"));
        Assert.Equal("alice", await AskAsync("localhost", port, "api.pem"));
    }

    [Fact]
    public async Task SignedByACa_TrustedThroughItForTheNameItCarriesOnly()
    {
        using var ca = Certificates.Authority(_folder, "ca");
        Certificates.Authority(_folder, "other-ca").Dispose();
        int port = await ServeAsync(Certificates.SignedBy(ca, _folder, "api", "127.0.0.1"));

        Assert.Equal("alice", await AskAsync("127.0.0.1", port, "ca.pem"));
        Assert.Contains("does not trust", await AskAsync("localhost", port, "ca.pem"));
        Assert.Contains("does not trust", await AskAsync("127.0.0.1", port, "other-ca.pem"));
        Assert.Contains("does not trust", await AskAsync("127.0.0.1", port));
    }

    [Fact]
    public void Read_FileWithoutCertificate_SaysWhichFile()
    {
        var (_, key) = Certificates.SelfSigned(_folder, "api");

        Assert.Null(ApiTrust.Read([key], out string whyNot));
        Assert.Equal($"no PEM certificate (-----BEGIN CERTIFICATE-----) that can be read in {key}", whyNot);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (WebApplication app in _servers) await app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
