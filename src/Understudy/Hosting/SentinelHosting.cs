using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Failover;
using Understudy.Traffic;

namespace Understudy.Hosting;

/// <summary>
/// Every service's <c>traffic.sentinel</c> listener, bound on the controller's Kestrel server like the proxies, so it
/// starts and stops with <c>understudy serve</c>.
/// </summary>
internal static class SentinelHosting
{
    public static void AddSentinels(this IServiceCollection services, TimeProvider time) =>
        services.AddSingleton(sp => Create(sp.GetRequiredService<Controller>().Services, time, sp.GetRequiredService<ILoggerFactory>()));

    /// <summary>Binds each listener; called from ConfigureKestrel.</summary>
    public static void ListenSentinels(this KestrelServerOptions k)
    {
        foreach (SentinelListener s in k.ApplicationServices.GetRequiredService<IReadOnlyList<SentinelListener>>())
            ControllerHost.Listen(k, s.Routes.Spec.Listen, $"services.{s.Routes.Service.Name}.traffic.sentinel.listen", l => l.Run(s.HandleAsync));
    }

    private static IReadOnlyList<SentinelListener> Create(IReadOnlyList<ServiceRuntime> runtimes, TimeProvider time, ILoggerFactory logs) =>
        [.. runtimes.Where(r => r.Spec.Sentinel is not null).Select(r =>
            new SentinelListener(new SentinelRoutes(r.Spec, Board(r, time), m => r.Loop.State.Members[m].Health == Health.Down), logs.CreateLogger($"Understudy.{r.Spec.Name}")))];

    // The proxy's board when there is one: the routing lease of several controllers gates it, so the answer does too.
    // Without a proxy, a board of its own, fed by the loop after every decision or fold (chained after what a cluster already listens with).
    private static RouteBoard Board(ServiceRuntime r, TimeProvider time)
    {
        if (r.Routes is { } routes) return routes;
        var board = new RouteBoard(Routing.For(r.Loop.State), time);
        Action<ServiceState, ServiceState>? before = r.Loop.Published;
        r.Loop.Published = (was, now) =>
        {
            before?.Invoke(was, now);
            board.Publish(Routing.For(now));
        };
        return board;
    }
}
