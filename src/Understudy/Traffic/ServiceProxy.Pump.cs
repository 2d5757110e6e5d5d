using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Traffic.Pumping;

namespace Understudy.Traffic;

/// <summary>
/// The proxy's byte pump: on Linux the epoll loops (<see cref="EpollLoop"/>); two managed loops on the raw sockets
/// while a fault is injected or elsewhere; Redis synchronous mode's relay.
/// </summary>
public sealed partial class ServiceProxy : IPumpHost
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>
    /// Copies both ways until the member's side ends, or the client's with an error; a half-close from the client is
    /// passed on. True when the epoll pump ended the client's side already (its FIN passed on, cut or failed): then a
    /// shutdown of it would only fail, and throw, once per connection.
    /// </summary>
    private async Task<bool> PumpAsync(ServiceSpec service, ProxyConnection connection, Socket client, Socket upstream, string member)
    {
        if (service is { Kind: ServiceKind.Redis, Failover.Synchronous: true })
        {
            await RelaySynchronousAsync(service, client, upstream, member);
            return false;
        }
        Flow? fromClient = null, fromMember = null;
        if (EpollLoops.Available && faults.Active(member) is null)
        {
            var pair = new PumpedPair(Linux.Descriptor(client), Linux.Descriptor(upstream), member, this, EpollLoops.Next());
            if (!connection.TryHandOver(pair)) return false; // the fence came first
            EpollLoops.Add(pair);
            PumpEnd end = await pair.Done;
            connection.TakeBack();
            if (end == PumpEnd.Closed) return true;
            (fromClient, fromMember) = (pair.ToUpstream, pair.ToClient);
        }
        Task<bool> toUpstream = ResumeAsync(fromClient, client, upstream, member, answers: false);
        Task<bool> toClient = ResumeAsync(fromMember, upstream, client, member, answers: true);
        // A client's FIN is passed on and its answers still flow back; a client's reset ends both.
        if (await Task.WhenAny(toUpstream, toClient) == toUpstream && await toUpstream) await toClient;
        return false;
    }

    /// <summary>One direction in the managed pump, first finishing what the epoll pump left in <paramref name="flow"/>, if anything.</summary>
    private async Task<bool> ResumeAsync(Flow? flow, Socket from, Socket to, string member, bool answers)
    {
        if (flow is not null)
        {
            try
            {
                if (flow.Pending is { } left)
                {
                    for (int sent = 0; sent < flow.Count;) sent += await to.SendAsync(left.AsMemory(flow.Offset + sent, flow.Count - sent), SocketFlags.None);
                    flow.Pending = null;
                    ArrayPool<byte>.Shared.Return(left);
                }
                if (flow.Ended)
                {
                    if (!flow.FinPassed) to.Shutdown(SocketShutdown.Send);
                    return true;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
        }
        return await CopyAsync(from, to, member, answers);
    }

    bool IPumpHost.Faulted(string member) => faults.Active(member) is not null;

    void IPumpHost.Carried(string member, int bytes, bool answers)
    {
        if (!answers)
        {
            Interlocked.Add(ref _bytesIn, bytes);
            return;
        }
        _progress?.Answered(member, time.GetTimestamp());
        Interlocked.Add(ref _bytesOut, bytes);
    }

    /// <summary>
    /// One direction. Waits for data with a zero-byte receive and rents a buffer only once data is there, so an idle
    /// connection holds none. True when <paramref name="from"/> ended with a FIN (then passed on to <paramref name="to"/>).
    /// </summary>
    private async Task<bool> CopyAsync(Socket from, Socket to, string member, bool answers)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                int n = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0) break;
                await PassAsync(member);
                if (answers) _progress?.Answered(member, time.GetTimestamp());
                for (int sent = 0; sent < n;) sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None);
                Interlocked.Add(ref answers ? ref _bytesOut : ref _bytesIn, n);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
            to.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
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
                    await FenceAsync(member); // both sides of every connection to it, as a reset on the wire would
                    throw new SocketException((int)SocketError.ConnectionReset);
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

    /// <summary>Redis synchronous mode: the RESP relay, on pipes over the two sockets (not the hot path).</summary>
    private async Task RelaySynchronousAsync(ServiceSpec service, Socket client, Socket upstream, string member)
    {
        await using var clientStream = new NetworkStream(client, ownsSocket: false);
        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        PipeReader fromClient = PipeReader.Create(clientStream, new StreamPipeReaderOptions(leaveOpen: true));
        PipeWriter toClientPipe = PipeWriter.Create(clientStream, new StreamPipeWriterOptions(leaveOpen: true));
        var pump = new Resp.SynchronousPump(await CommandTableAsync(service, member), service.Failover.SynchronousStrict, ProxyDefaults.RedisWaitTimeout,
            () => routes.Current.Route.NoReplica, CountUnprotected);
        Task toUpstream = RelayAsync(() => pump.ToServerAsync(fromClient, upstreamStream), fromClient, upstream);
        Task toClient = RelayAsync(() => pump.ToClientAsync(PipeReader.Create(upstreamStream, new StreamPipeReaderOptions(leaveOpen: true)), toClientPipe, upstreamStream,
            n => { _progress?.Answered(member, time.GetTimestamp()); Interlocked.Add(ref _bytesOut, n); }), toClientPipe);
        if (await Task.WhenAny(toUpstream, toClient) == toUpstream) await toClient;
    }
}
