using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Hosting;
using Understudy.Traffic;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>A <see cref="ServiceProxy"/> on its own <see cref="ProxyListener"/>, with two real HTTP backends and one dead address.</summary>
public sealed class ProxyHarness : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private ProxyListener? _listener;

    public int ProxyPort { get; } = FreePort.Next();
    public RouteBoard Routes { get; } = new(new TrafficRoute(1, "a", false, false));
    public ServiceProxy Proxy { get; private set; } = null!;
    public ConcurrentQueue<CheckResult> Passive { get; } = new();
    public MemberFaults Faults { get; } = new(TimeProvider.System);

    public static async Task<ProxyHarness> StartAsync(TimeSpan hold)
    {
        var h = new ProxyHarness();
        int a = await h.BackendAsync("a"), b = await h.BackendAsync("b"), dead = FreePort.Next();
        var spec = new ServiceSpec("svc", ServiceKind.Tcp,
            [new MemberSpec("a", new HostPort("127.0.0.1", a)), new MemberSpec("b", new HostPort("127.0.0.1", b)), new MemberSpec("dead", new HostPort("127.0.0.1", dead))],
            "a", new CheckSpec(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 3, 2),
            new FailoverSpec(FailoverMode.Automatic, TimeSpan.Zero), new ProxySpec(new HostPort("127.0.0.1", h.ProxyPort), hold),
            HooksSpec.None, TargetsSpec.None);
        h.Proxy = new ServiceProxy(spec, h.Routes, h.Passive.Enqueue, h.Faults, TimeProvider.System, NullLogger.Instance);

        h._listener = ProxyListener.Start(new HostPort("127.0.0.1", h.ProxyPort), "services.svc.traffic.proxy.listen", h.Proxy.HandleAsync, NullLogger.Instance);
        return h;
    }

    private async Task<int> BackendAsync(string name)
    {
        int port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/", () => Results.Text(name));
        await app.StartAsync();
        _apps.Add(app);
        return port;
    }

    public Uri Url => new($"http://127.0.0.1:{ProxyPort}/");

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null) await _listener.DisposeAsync();
        if (Proxy is not null) await Proxy.CloseAllAsync();
        foreach (var app in _apps) await app.DisposeAsync();
    }
}
