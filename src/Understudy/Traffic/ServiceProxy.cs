using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Understudy.Core.Detection;
using Understudy.Core.Drills;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Traffic;

/// <summary>
/// The built-in layer-4 proxy of one service, run as a Kestrel connection handler. New connections go
/// to the route's target; while the route holds (suspicion, failover) or right after a failed connect,
/// they wait up to <see cref="ProxySpec.Hold"/> for the route to change, so clients see a slow connect
/// instead of an error. A failed connect is reported as a passive check.
/// </summary>
public sealed partial class ServiceProxy
{
    private readonly ConcurrentDictionary<ProxyConnection, byte> _open = new();
    private readonly ServiceSpec service;
    private readonly RouteBoard routes;
    private readonly Action<CheckResult> reportPassive;
    private readonly MemberProgress? _progress;
    private readonly MemberFaults faults;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly TimeSpan _hold;
    private long _accepted, _failed, _bytesIn, _bytesOut;

    public ServiceProxy(ServiceSpec service, RouteBoard routes, Action<CheckResult> reportPassive, MemberFaults faults, TimeProvider time, ILogger logger,
        MemberProgress? progress = null)
    {
        this.service = service;
        this.routes = routes;
        this.reportPassive = reportPassive;
        _progress = progress;
        this.faults = faults;
        this.time = time;
        this.logger = logger;
        _hold = service.Proxy?.Hold ?? TimeSpan.Zero;
        // A reset fault cuts open connections at once, as a real network reset would.
        faults.Injected += (member, fault) => { if (fault.Kind == ProxyFaultKind.Reset) Fence(member); };
    }

    public int OpenConnections => _open.Count;
    public long Accepted => Interlocked.Read(ref _accepted);
    public long Failed => Interlocked.Read(ref _failed);

    public async Task HandleAsync(ConnectionContext client)
    {
        Interlocked.Increment(ref _accepted);
        long deadline = time.GetTimestamp() + (long)(_hold.TotalSeconds * time.TimestampFrequency);
        while (await ConnectAsync(deadline, client.ConnectionClosed) is var (socket, member, epoch))
        {
            var connection = new ProxyConnection(client, socket, member, epoch);
            _open.TryAdd(connection, 0);
            try
            {
                // A fence may have run between our route read and the registration: route again.
                if (routes.Current.Route.Target != member) continue;
                await PumpAsync(client, socket, member);
                return;
            }
            finally
            {
                _open.TryRemove(connection, out _);
                socket.Dispose();
            }
        }
        Interlocked.Increment(ref _failed);
        client.Abort();
    }

    /// <summary>Closes every open connection to <paramref name="member"/>; returns how many.</summary>
    public int Fence(string member)
    {
        int closed = 0;
        foreach (ProxyConnection c in _open.Keys.Where(c => c.Member == member))
        {
            c.Close();
            closed++;
        }
        return closed;
    }

    /// <summary>Closes every open connection (a partitioned instance stops routing); returns how many.</summary>
    public int CloseAll()
    {
        int closed = 0;
        foreach (ProxyConnection c in _open.Keys)
        {
            c.Close();
            closed++;
        }
        return closed;
    }

    /// <summary>
    /// Planned switchover: new connections are already held by the route; waits (polling, bounded by
    /// <paramref name="timeout"/>) for open connections to <paramref name="member"/> to end by themselves,
    /// then closes the rest. Returns what happened, for the journal.
    /// </summary>
    public async Task<string> DrainAsync(string member, TimeSpan timeout)
    {
        long start = time.GetTimestamp();
        int atStart = OpenTo(member);
        while (OpenTo(member) > 0 && time.GetElapsedTime(start) < timeout)
            await Task.Delay(DrainPoll, time);
        int closed = Fence(member);
        string took = $"{time.GetElapsedTime(start).TotalMilliseconds:0} ms";
        return closed == 0
            ? $"{atStart} open connection{(atStart == 1 ? "" : "s")} ended by themselves in {took}"
            : $"{atStart - closed} of {atStart} open connections ended by themselves; {closed} closed at the {timeout.TotalSeconds:0.###} s deadline";
    }

    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(10);

    private int OpenTo(string member) => _open.Keys.Count(c => c.Member == member);

    private async Task<(Socket Socket, string Member, long Epoch)?> ConnectAsync(long deadline, CancellationToken clientGone)
    {
        while (!clientGone.IsCancellationRequested)
        {
            RouteBoard.Snapshot snap = routes.Current;
            TrafficRoute route = snap.Route;
            if (route.Hold && _hold > TimeSpan.Zero)
            {
                if (!await WaitForChangeAsync(snap, deadline, clientGone)) return null;
                continue;
            }
            if (route.Target is not { } member) return null;

            MemberSpec target = service.Member(member);
            var (socket, error, timedOut) = await TryConnectAsync(target, clientGone);
            if (socket is not null) return (socket, member, route.Epoch);
            if (clientGone.IsCancellationRequested) return null; // the client left: nothing learned about the member

            Log.ConnectFailed(logger, service.Name, member, error);
            if (route.TargetDown) return null;
            // Passive detection works with holding off too: only the waiting depends on the hold.
            reportPassive(CheckResult.ConnectFailed(member, time.GetUtcNow(), error, timedOut));
            if (_hold == TimeSpan.Zero || !await WaitForChangeAsync(snap, deadline, clientGone)) return null;
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

    private async Task<(Socket?, string Error, bool TimedOut)> TryConnectAsync(MemberSpec member, CancellationToken clientGone)
    {
        HostPort address = member.Address;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(service.Check.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, clientGone);
        try
        {
            switch (faults.Active(member.Name))
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
            EndPoint ep = IPAddress.TryParse(address.Host, out IPAddress? ip) ? new IPEndPoint(ip, address.Port) : new DnsEndPoint(address.Host, address.Port);
            await socket.ConnectAsync(ep, linked.Token);
            return (socket, "", false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return e is SocketException se
                ? (null, Errors.Describe(se), se.SocketErrorCode == SocketError.TimedOut)
                : (null, $"connect timed out after {service.Check.Timeout.TotalMilliseconds:0} ms", true);
        }
    }

    /// <summary>Copies both ways until either side ends; a half-close from the client is passed on.</summary>
    private async Task PumpAsync(ConnectionContext client, Socket upstream, string member)
    {
        await using var stream = new NetworkStream(upstream, ownsSocket: false);
        Task toUpstream, toClient;
        if (service is { Kind: ServiceKind.Redis, Failover.Synchronous: true })
        {
            var pump = new Resp.SynchronousPump(await CommandTableAsync(member), service.Failover.SynchronousStrict, ProxyDefaults.RedisWaitTimeout,
                () => routes.Current.Route.NoReplica, CountUnprotected);
            toUpstream = RelayAsync(() => pump.ToServerAsync(client.Transport.Input, stream), client.Transport.Input, upstream);
            toClient = RelayAsync(() => pump.ToClientAsync(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), client.Transport.Output, stream,
                n => { _progress?.Answered(member, time.GetTimestamp()); Interlocked.Add(ref _bytesOut, n); }), client.Transport.Output);
        }
        else
        {
            toUpstream = CopyToUpstreamAsync(client.Transport.Input, stream, upstream, member);
            toClient = CopyToClientAsync(stream, client.Transport.Output, member);
        }
        await Task.WhenAny(toUpstream, toClient);
        if (!toClient.IsCompleted) await Task.WhenAny(toClient, Task.Delay(Timeout.Infinite, client.ConnectionClosed)).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies an injected fault to a chunk before it is passed on: a slow member's traffic is delayed; a
    /// blackholed member's waits until the fault ends (as TCP retransmits until the network heals, so the
    /// stream stays intact); a reset cuts the connection. No fault costs one dictionary lookup.
    /// </summary>
    private async ValueTask PassAsync(string member)
    {
        while (faults.Active(member) is { } fault)
        {
            switch (fault.Kind)
            {
                case ProxyFaultKind.Reset:
                    Fence(member); // both sides of every connection to it, as a reset on the wire would
                    throw new ConnectionResetException($"{member}: reset fault");
                case ProxyFaultKind.Blackhole:
                    await Task.Delay(Max(fault.Until - time.GetUtcNow(), TimeSpan.FromMilliseconds(1)), time);
                    continue;
                default:
                    await Task.Delay(fault.NextDelay(), time);
                    return;
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private async Task CopyToUpstreamAsync(PipeReader from, NetworkStream to, Socket upstream, string member)
    {
        try
        {
            while (true)
            {
                ReadResult read = await from.ReadAsync();
                await PassAsync(member);
                foreach (ReadOnlyMemory<byte> segment in read.Buffer) await to.WriteAsync(segment);
                Interlocked.Add(ref _bytesIn, read.Buffer.Length);
                from.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled) break;
            }
            upstream.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or ConnectionAbortedException or ConnectionResetException) { }
        finally { await from.CompleteAsync(); }
    }

    private async Task CopyToClientAsync(NetworkStream from, PipeWriter to, string member)
    {
        try
        {
            while (true)
            {
                Memory<byte> buffer = to.GetMemory(16 * 1024);
                int n = await from.ReadAsync(buffer);
                if (n == 0) break;
                await PassAsync(member);
                _progress?.Answered(member, time.GetTimestamp());
                to.Advance(n);
                Interlocked.Add(ref _bytesOut, n);
                FlushResult flushed = await to.FlushAsync();
                if (flushed.IsCompleted || flushed.IsCanceled) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or ConnectionAbortedException or ConnectionResetException) { }
        finally { await to.CompleteAsync(); }
    }

    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "{Service}: could not connect to {Member}: {Error}")]
        public static partial void ConnectFailed(ILogger logger, string service, string member, string error);

        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "{Service}: writes acknowledged without a replica (a WAIT timed out after {Ms} ms, or no replica is online); logged once per 1000")]
        public static partial void Unprotected(ILogger logger, string service, double ms);

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "{Service}: synchronous relay closed a connection: {Error}")]
        public static partial void ProtocolError(ILogger logger, string service, string error);
    }
}
