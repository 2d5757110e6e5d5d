using System.Collections.Concurrent;
using Understudy.Failover;
using Understudy.Traffic;

namespace Understudy.Hosting;

/// <summary>
/// Every service's proxy listener. Registered before the controller, so the listeners are bound before its loops
/// run and a port in use stops the start with one line; stopped after it. A reload opens and closes them one by one.
/// </summary>
public sealed class ProxyListeners(Controller controller, ILoggerFactory logs) : IHostedService
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
        ServiceProxy proxy = r.Proxy ?? throw new ArgumentException($"{r.Spec.Name} has no proxy", nameof(r));
        string name = r.Spec.Name;
        ProxyListener listener = ProxyListener.Start(r.Spec.Proxy!.Listen, $"services.{name}.traffic.proxy.listen", proxy.HandleAsync,
            logs.CreateLogger($"Understudy.{name}"));
        if (!_open.TryAdd(name, listener))
        {
            _ = listener.DisposeAsync();
            throw new InvalidOperationException($"{name}: its proxy listener is already open");
        }
    }

    /// <summary>Stops accepting for <paramref name="service"/>; its open connections go on.</summary>
    public async ValueTask CloseAsync(string service)
    {
        if (_open.TryRemove(service, out ProxyListener? listener)) await listener.DisposeAsync();
    }

    public ProxyListener? For(string service) => _open.GetValueOrDefault(service);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (string service in _open.Keys) await CloseAsync(service);
    }
}
