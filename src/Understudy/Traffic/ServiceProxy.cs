using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Understudy.Core.Detection;
using Understudy.Core.Drills;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Traffic.Pumping;

namespace Understudy.Traffic;

/// <summary>
/// The built-in layer-4 proxy of one service, fed accepted sockets by its <see cref="ProxyListener"/>. New connections go
/// to the route's target; while the route holds (suspicion, failover) or right after a failed connect,
/// they wait up to <see cref="ProxySpec.Hold"/> for the route to change, so clients see a slow connect
/// instead of an error. A failed connect is reported as a passive check, unless the controller itself was short of
/// descriptors or ports: then the client is refused at once and the member not blamed.
/// </summary>
public sealed partial class ServiceProxy
{
    private readonly ConcurrentDictionary<ProxyConnection, byte> _open = new();
    private volatile ServiceSpec _spec;
    private readonly RouteBoard routes;
    private readonly Action<CheckResult> reportPassive;
    private readonly MemberProgress? _progress;
    private readonly MemberFaults faults;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private long _accepted, _failed, _bytesIn, _bytesOut;

    /// <summary>
    /// Connects in flight at once: a reconnect storm reaches the member paced, as a listen backlog would pace it,
    /// instead of as one burst of SYNs that overflows the member's backlog and times connects out (a live member
    /// suspected). Waiting for a turn does not count against the connect timeout.
    /// </summary>
    private readonly SemaphoreSlim _connecting = new(MaxConnecting);
    private const int MaxConnecting = 64;

    public ServiceProxy(ServiceSpec service, RouteBoard routes, Action<CheckResult> reportPassive, MemberFaults faults, TimeProvider time, ILogger logger,
        MemberProgress? progress = null)
    {
        _spec = service;
        this.routes = routes;
        this.reportPassive = reportPassive;
        _progress = progress;
        this.faults = faults;
        this.time = time;
        this.logger = logger;
        // A reset fault cuts open connections at once, as a real network reset would.
        faults.Injected += (member, fault) => { if (fault.Kind == ProxyFaultKind.Reset) _ = FenceAsync(member); };
        EpollLoops.Start();
    }

    /// <summary>The service as configured; a reload may swap it. Each new connection reads it once.</summary>
    public ServiceSpec Spec { get => _spec; set => _spec = value; }

    public int OpenConnections => _open.Count;
    public long Accepted => Interlocked.Read(ref _accepted);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Routes and pumps one accepted client; the client socket is closed when this ends.</summary>
    public async Task HandleAsync(Socket client)
    {
        ServiceSpec service = Spec;
        Interlocked.Increment(ref _accepted);
        TimeSpan hold = service.Proxy?.Hold ?? TimeSpan.Zero;
        long deadline = time.GetTimestamp() + (long)(hold.TotalSeconds * time.TimestampFrequency);
        var watch = new ClientWatch(client);
        bool ended = false;
        try
        {
            while (await ConnectAsync(service, hold, deadline, watch) is var (upstream, member, epoch))
            {
                var connection = new ProxyConnection(client, upstream, member, epoch);
                _open.TryAdd(connection, 0);
                // The fence reads the open connections without a snapshot's locks after it changed the route: a full
                // fence here, so that either it sees this registration or this sees its route.
                Interlocked.MemoryBarrier();
                try
                {
                    // A fence may have run between our route read and the registration: route again.
                    if (routes.Current.Route.Target != member) continue;
                    await watch.DisposeAsync();
                    ended = await PumpAsync(service, connection, client, upstream, member);
                    return;
                }
                finally
                {
                    _open.TryRemove(connection, out _);
                    upstream.Dispose();
                }
            }
            Interlocked.Increment(ref _failed);
            // The watch's epoll registration goes first: removed after the close, its descriptor number may be another socket's.
            await watch.DisposeAsync();
            // A reset, as Kestrel's abort was: an HTTP client retries a plain close on a new connection (held again), not a reset.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
        }
        finally
        {
            await watch.DisposeAsync();
            if (ended) client.Dispose();
            else ProxyConnection.Close(client);
        }
    }

    private async Task<(Socket Socket, string Member, long Epoch)?> ConnectAsync(ServiceSpec service, TimeSpan hold, long deadline, ClientWatch client)
    {
        while (!client.Gone)
        {
            RouteBoard.Snapshot snap = routes.Current;
            TrafficRoute route = snap.Route;
            if (route.Hold && hold > TimeSpan.Zero)
            {
                if (!await WaitForChangeAsync(snap, deadline, client.Token)) return null;
                continue;
            }
            if (route.Target is not { } member) return null;

            MemberSpec target = service.Member(member);
            var (socket, error, timedOut, local) = await TryConnectAsync(service, target, client);
            if (socket is not null) return (socket, member, route.Epoch);
            if (client.Gone) return null; // the client left: nothing learned about the member
            if (local)
            {
                // The controller is out of descriptors or ports: reporting it would fail over a healthy primary.
                if (Interlocked.Increment(ref _shortages) is var n && n % 1000 == 1) Log.ShortOfResources(logger, service.Name, member, error, n);
                return null;
            }

            Log.ConnectFailed(logger, service.Name, member, error);
            if (route.TargetDown) return null;
            // Passive detection works with holding off too: only the waiting depends on the hold.
            reportPassive(CheckResult.ConnectFailed(member, time.GetUtcNow(), error, timedOut));
            if (hold == TimeSpan.Zero || !await WaitForChangeAsync(snap, deadline, client.Token)) return null;
        }
        return null;
    }

    private async Task<bool> WaitForChangeAsync(RouteBoard.Snapshot snap, long deadline, CancellationToken ct)
    {
        TimeSpan left = time.GetElapsedTime(time.GetTimestamp(), deadline);
        if (left <= TimeSpan.Zero) return false;
        try
        {
            await snap.Changed.WaitAsync(left, time, ct);
            return true;
        }
        catch (TimeoutException) { return false; }
        catch (OperationCanceledException) { return false; }
    }

    private long _shortages;

    /// <summary>Makes the socket to a member; tests make it fail as a controller out of descriptors would.</summary>
    internal Func<Socket> NewSocket { get; set; } = static () => new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    /// <summary>A connect to <paramref name="member"/>; a failure says whether it was the controller's own shortage (<see cref="Errors.IsLocalShortage(SocketException)"/>).</summary>
    private async Task<(Socket?, string Error, bool TimedOut, bool Local)> TryConnectAsync(ServiceSpec service, MemberSpec member, ClientWatch client)
    {
        HostPort address = member.Address;
        Socket socket;
        try { socket = NewSocket(); }
        catch (SocketException e) { return (null, Errors.Describe(e), false, Errors.IsLocalShortage(e)); }
        MemberFault? fault = faults.Active(member.Name);
        // Watched only when the connect may wait for more than the member's answer.
        CancellationToken gone = fault is { Kind: ProxyFaultKind.Blackhole or ProxyFaultKind.Latency } || client.Watching ? client.Token : CancellationToken.None;
        bool turn = false;
        try
        {
            await _connecting.WaitAsync(gone);
            turn = true;
            using var timeout = new CancellationTokenSource(service.Check.Timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, gone);
            switch (fault)
            {
                case { Kind: ProxyFaultKind.Reset }:
                    throw new SocketException((int)SocketError.ConnectionReset);
                case { Kind: ProxyFaultKind.Blackhole }:
                    await Task.Delay(Timeout.InfiniteTimeSpan, time, linked.Token);
                    break;
                case { Kind: ProxyFaultKind.Latency } slow:
                    await Task.Delay(slow.NextDelay(), time, linked.Token);
                    break;
            }
            if (IPAddress.TryParse(address.Host, out IPAddress? ip) && EpollLoops.Available) await ConnectOutsideEngineAsync(socket, new IPEndPoint(ip, address.Port), linked.Token);
            else await socket.ConnectAsync(ip is null ? new DnsEndPoint(address.Host, address.Port) : new IPEndPoint(ip, address.Port), linked.Token);
            return (socket, "", false, false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return e is SocketException se
                ? (null, Errors.Describe(se), se.SocketErrorCode == SocketError.TimedOut, Errors.IsLocalShortage(se))
                : (null, $"connect timed out after {service.Check.Timeout.TotalMilliseconds:0} ms", true, false);
        }
        finally
        {
            if (turn) _connecting.Release();
        }
    }

    /// <summary>
    /// A non-blocking connect whose wait is an epoll loop's: a socket the BCL's engine once waited on stays in its epoll
    /// set, and every later event on it would wake that engine and a pool thread, costing the epoll pump half its speed.
    /// </summary>
    internal static async Task ConnectOutsideEngineAsync(Socket socket, IPEndPoint ep, CancellationToken ct)
    {
        socket.Blocking = false;
        try { socket.Connect(ep); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            await EpollLoops.WhenWritableAsync(Linux.Descriptor(socket), ct);
            if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error and not 0) throw new SocketException(error);
        }
        // Blocking again, as ConnectAsync leaves it: NetworkStream (Redis synchronous mode's relay) refuses a non-blocking
        // socket. On Linux this is the BCL's own flag: the descriptor stays non-blocking, and the pump asks MSG_DONTWAIT anyway.
        socket.Blocking = true;
    }

    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "{Service}: could not connect to {Member}: {Error}")]
        public static partial void ConnectFailed(ILogger logger, string service, string member, string error);

        [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "{Service}: could not connect to {Member}: {Error}; not counted against the member, the connection is refused; {Count} so far, logged once per 1000")]
        public static partial void ShortOfResources(ILogger logger, string service, string member, string error, long count);

        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "{Service}: writes acknowledged without a replica (a WAIT timed out after {Ms} ms, or no replica is online); logged once per 1000")]
        public static partial void Unprotected(ILogger logger, string service, double ms);

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "{Service}: synchronous relay closed a connection: {Error}")]
        public static partial void ProtocolError(ILogger logger, string service, string error);
    }
}
