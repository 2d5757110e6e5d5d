using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Understudy.Core.Topology;
using Understudy.Hosting;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Regressions;

/// <summary>Issue 13, item 13: default deny. Every endpoint names its role or says it is open, and what names neither needs a signed-in caller.</summary>
public sealed class EndpointAuthTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("understudy-endpoints-").FullName;
    private WebApplication? _app;

    /// <summary>Load balancers, peers in failsafe, the dashboard's page (it holds no data) and the API's description.</summary>
    private static readonly string[] Open = ["/", "/api/cluster/peer", "/health", "/openapi.json", "/ready", "/services/{service}/members/{member}/primary"];

    private async Task<WebApplication> BuildAsync()
    {
        var spec = new UnderstudySpec(new ControllerSpec(new HostPort("127.0.0.1", 7400), Path.Combine(_folder, "journal.db"), DrillsDir: _folder), [Http()]);
        return _app = await ControllerHost.CreateAsync(spec, _folder, logging: l => l.SetMinimumLevel(LogLevel.None));
    }

    [Fact]
    public async Task Endpoints_EachOpenOneSaysSo_EveryOtherNamesARole_TheFallbackNeedsASignedInCaller()
    {
        WebApplication app = await BuildAsync();
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();

        Assert.Equal(Open, endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.RoutePattern.RawText!).Order(StringComparer.Ordinal));
        Assert.All(endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null), e =>
            Assert.True(e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is "viewer" or "operator" or "approver" or "admin"),
                $"{e.DisplayName} names no role"));
        AuthorizationPolicy? fallback = await app.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync();
        Assert.Contains(fallback!.Requirements, r => r is Microsoft.AspNetCore.Authorization.Infrastructure.DenyAnonymousAuthorizationRequirement);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
