using System.Collections.Concurrent;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Traffic;

namespace Understudy.Hosting;

/// <summary>
/// Every service's proxy listener. Registered before the controller, so the listeners are bound before its loops
/// run and a port in use stops the start with one line; stopped after it. A reload opens and closes them one by one.
/// </summary>
public sealed class ProxyListeners(Controller controller, ILoggerFactory logs, TimeProvider time) : IHostedService
{
    private readonly ConcurrentDictionary<string, ProxyListener> _open = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (ServiceRuntime r in controller.Services.Where(r => r.Proxy is not null)) Open(r);
        return Task.CompletedTask;
    }

    /// <summary>Binds the proxy listener of <paramref name="r"/>; a <see cref="StartupException"/> if it cannot.</summary>
    public void Open(ServiceRuntime r)
    {
        ProxyListener listener = Bind(r.Spec.Name, r.Proxy ?? throw new ArgumentException($"{r.Spec.Name} has no proxy", nameof(r)), r.Spec.Proxy!.Listen);
        if (!_open.TryAdd(r.Spec.Name, listener))
        {
            _ = listener.DisposeAsync();
            throw new InvalidOperationException($"{r.Spec.Name}: its proxy listener is already open");
        }
        listener.Accept();
    }

    /// <summary>
    /// A listener for <paramref name="proxy"/> at <paramref name="at"/>, bound (a <see cref="StartupException"/> if it
    /// cannot) but accepting nothing until <see cref="AdoptAsync"/> makes it the service's.
    /// </summary>
    public ProxyListener Bind(string service, ServiceProxy proxy, HostPort at) =>
        ProxyListener.Bind(at, $"services.{service}.traffic.proxy.listen", proxy.HandleAsync, logs.CreateLogger($"Understudy.{service}"), time);

    /// <summary>Makes <paramref name="listener"/> the service's and starts it; the one it had, if any, stops accepting (its connections go on).</summary>
    public async ValueTask AdoptAsync(string service, ProxyListener listener)
    {
        ProxyListener? before = null;
        _open.AddOrUpdate(service, listener, (_, old) => { before = old; return listener; });
        listener.Accept();
        if (before is not null) await before.DisposeAsync();
    }

    /// <summary>Stops accepting for <paramref name="service"/>; its open connections go on.</summary>
    public async ValueTask CloseAsync(string service)
    {
        if (_open.TryRemove(service, out ProxyListener? listener)) await listener.DisposeAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (string service in _open.Keys) await CloseAsync(service);
    }
}
