using System.Net;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Traffic;

/// <summary>A member other than the primary, as <c>SENTINEL replicas</c> lists it.</summary>
public sealed record SentinelReplica(string Member, HostPort Address, bool Down);

/// <summary>What a Sentinel listener says at one moment.</summary>
/// <param name="Primary">Where clients are sent now; null while nothing is routable (the answer is then nil).</param>
/// <param name="LastPrimary">The last address that was routable, for <c>SENTINEL master</c> and <c>INFO</c> while none is.</param>
/// <param name="Replicas">answer: member only; with answer: proxy reads go through the proxy too, so none is listed.</param>
public sealed record SentinelView(HostPort? Primary, HostPort? LastPrimary, long Epoch, IReadOnlyList<SentinelReplica> Replicas);

/// <summary>
/// The answers of one service's Sentinel listener, read from a <see cref="RouteBoard"/>: the proxy's own (so
/// with several controllers the routing lease gates it as it gates the proxy) or, without a proxy, one the service
/// loop publishes to. Nothing polls: a subscriber waits on <see cref="RouteBoard.Snapshot.Changed"/>.
/// </summary>
public sealed class SentinelRoutes
{
    private readonly RouteBoard _board;
    private readonly Func<string, bool> _isDown;
    private readonly Lock _gate = new();
    private string? _lastMember;

    /// <param name="isDown">Whether the controller's checks see a member down (flags <c>s_down</c>, which redis-py's replica list skips).</param>
    public SentinelRoutes(ServiceSpec service, RouteBoard board, Func<string, bool>? isDown = null)
    {
        Service = service;
        Spec = service.Sentinel ?? throw new ArgumentException($"{service.Name} has no traffic.sentinel", nameof(service));
        if (Spec.Answer == SentinelAnswer.Proxy && service.Proxy is null) throw new ArgumentException($"{service.Name}: answer proxy without a proxy", nameof(service));
        _board = board;
        _isDown = isDown ?? (_ => false);
        _lastMember = board.Current.Route.Target ?? service.Primary;
    }

    public ServiceSpec Service { get; }
    public SentinelSpec Spec { get; }

    public RouteBoard.Snapshot Current => _board.Current;

    /// <param name="localHost">The address the client reached the listener on: stands in for a proxy listening on 0.0.0.0 or ::.</param>
    public SentinelView View(RouteBoard.Snapshot snapshot, string? localHost = null)
    {
        TrafficRoute route = snapshot.Route;
        string last;
        lock (_gate)
        {
            if (route.Target is { } target) _lastMember = target;
            last = _lastMember ?? Service.Primary;
        }
        if (Spec.Answer == SentinelAnswer.Proxy)
        {
            ProxySpec proxy = Service.Proxy!;
            HostPort address = IsWildcard(proxy.Listen.Host) && localHost is not null ? proxy.Listen with { Host = localHost } : proxy.Listen;
            // A held route is still worth the proxy's address: the proxy holds the connection until the failover ends.
            // Closed (this instance may not route, or nothing is held), a nil answer sends the client to another Sentinel.
            bool answers = route.Target is not null || (route.Hold && proxy.Hold > TimeSpan.Zero);
            return new SentinelView(answers ? address : null, address, route.Epoch, []);
        }
        HostPort? primary = route.Target is { } member ? Service.Member(member).Address : null;
        var replicas = Service.Members.Where(m => m.Name != last).Select(m => new SentinelReplica(m.Name, m.Address, _isDown(m.Name))).ToList();
        return new SentinelView(primary, Service.Member(last).Address, route.Epoch, replicas);
    }

    private static bool IsWildcard(string host) =>
        IPAddress.TryParse(host, out IPAddress? ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));
}
