using System.Buffers;
using System.Runtime.InteropServices;
using static Understudy.Traffic.Pumping.Linux;

namespace Understudy.Traffic.Pumping;

/// <summary>What the proxy is told about the bytes a pair carries, and asked before each read.</summary>
internal interface IPumpHost
{
    /// <summary>An injected fault toward the member: the pair goes back to the managed pump, which applies it.</summary>
    bool Faulted(string member);

    /// <summary><paramref name="bytes"/> passed on; <paramref name="answers"/> when they came from the member.</summary>
    void Carried(string member, int bytes, bool answers);
}

public enum PumpEnd
{
    /// <summary>Both sides are done with: the member's FIN was passed on, or a side failed or was cut.</summary>
    Closed,

    /// <summary>A fault was injected: the managed pump goes on from <see cref="PumpedPair.ToUpstream"/> and <see cref="PumpedPair.ToClient"/>.</summary>
    HandedBack,
}

/// <summary>One direction's state: bytes read but not yet written (the destination's buffer was full), and its FIN.</summary>
public sealed class Flow
{
    public byte[]? Pending;
    public int Offset, Count;
    public bool Ended, FinPassed;
}

/// <summary>
/// A client and its member's connection, pumped by one <see cref="EpollLoop"/> thread, which alone touches this state.
/// The same rules as the managed pump: a client's FIN is passed on and answers still flow back; the member's FIN
/// (after its last bytes reach the client) or any failure ends both. A destination that cannot take more stops
/// reads from its source until it drains, so a slow side costs one buffer, never a queue.
/// </summary>
public sealed class PumpedPair : EpollRegistration
{
    private const int PendingMinimum = 16 * 1024;
    private readonly int _client, _upstream;
    private readonly string _member;
    private readonly IPumpHost _host;
    private readonly TaskCompletionSource<PumpEnd> _done = new();
    private PumpEnd? _end;
    private uint _clientMask, _upstreamMask;
    private bool _failed, _handBack, _upstreamHungUp, _upstreamRemoved;

    internal PumpedPair(int client, int upstream, string member, IPumpHost host, EpollLoop loop)
    {
        Loop = loop;
        _client = client;
        _upstream = upstream;
        _member = member;
        _host = host;
    }

    /// <summary>The loop that pumps it, chosen before the connection is handed over, so a fence that sees the pair can cut it there.</summary>
    internal EpollLoop Loop { get; }

    public Flow ToUpstream { get; } = new();
    public Flow ToClient { get; } = new();
    public Task<PumpEnd> Done => _done.Task;
    internal override bool Finished => _end is not null;

    /// <summary>Registers both descriptors with <paramref name="epoll"/>, tagged with this pair (the low bit says which side).</summary>
    internal override bool Register(int epoll)
    {
        ulong tag = (ulong)GCHandle.ToIntPtr(Self);
        if (!Control(epoll, CtlAdd, _client, In, tag, out _)) return Fail();
        if (!Control(epoll, CtlAdd, _upstream, In, tag | 1, out _))
        {
            Control(epoll, CtlDel, _client, 0, 0, out _);
            return Fail();
        }
        _clientMask = _upstreamMask = In;
        return true;

        bool Fail()
        {
            _end = PumpEnd.Closed;
            return false;
        }
    }

    internal override void OnEvent(int epoll, bool upstreamSide, uint events, byte[] scratch)
    {
        if ((events & Err) != 0) _failed = true;
        else if (!upstreamSide)
        {
            // Both ways shut without an error: the fence cut it (a client's reset comes with an error).
            if ((events & Hup) != 0)
            {
                _failed = true;
                Finish(epoll);
                return;
            }
            if ((events & Out) != 0) Flush(ToClient, _client);
            if ((events & In) != 0) Pull(ToUpstream, _client, _upstream, scratch, answers: false);
        }
        else
        {
            if ((events & Hup) != 0) _upstreamHungUp = true;
            if ((events & Out) != 0) Flush(ToUpstream, _upstream);
            if ((events & (In | Hup)) != 0) Pull(ToClient, _upstream, _client, scratch, answers: true);
        }
        Settle(epoll, scratch);
    }

    private void Settle(int epoll, byte[] scratch)
    {
        // A member that hung up never blocks a read again: take what it left as fast as the client takes it.
        // (Nothing there after a hang-up would be reported forever: that ends the pair.)
        while (_upstreamHungUp && !_failed && !_handBack && !ToClient.Ended && ToClient.Pending is null)
            if (Pull(ToClient, _upstream, _client, scratch, answers: true) < 0 && !_handBack) _failed = true;
        if (_failed || _handBack || ToClient.FinPassed)
        {
            Finish(epoll);
            return;
        }
        uint client = (ToUpstream.Pending is null && !ToUpstream.Ended ? In : 0) | (ToClient.Pending is not null ? Out : 0);
        if (client != _clientMask && Control(epoll, CtlMod, _client, client, (ulong)GCHandle.ToIntPtr(Self), out _)) _clientMask = client;
        if (_upstreamHungUp)
        {
            // Its hang-up would be reported again and again: nothing more is wanted from it.
            if (!_upstreamRemoved) _upstreamRemoved = Control(epoll, CtlDel, _upstream, 0, 0, out _);
            return;
        }
        uint upstream = (ToClient.Pending is null && !ToClient.Ended ? In : 0) | (ToUpstream.Pending is not null ? Out : 0);
        if (upstream != _upstreamMask && Control(epoll, CtlMod, _upstream, upstream, (ulong)GCHandle.ToIntPtr(Self) | 1, out _)) _upstreamMask = upstream;
    }

    /// <summary>One read from <paramref name="from"/>, passed on to <paramref name="to"/>: the bytes read, 0 at its FIN, -1 when nothing was read.</summary>
    private int Pull(Flow flow, int from, int to, byte[] scratch, bool answers)
    {
        if (flow.Pending is not null || flow.Ended) return -1;
        if (_host.Faulted(_member))
        {
            _handBack = true;
            return -1;
        }
        int n = Receive(from, scratch, 0, scratch.Length, out int errno);
        if (n > 0)
        {
            _host.Carried(_member, n, answers);
            Send(flow, to, scratch, n);
        }
        else if (n == 0)
        {
            flow.Ended = true;
            PassFin(flow, to);
        }
        else if (errno != Again) _failed = true;
        return n;
    }

    private void Send(Flow flow, int to, byte[] data, int count)
    {
        int sent = Linux.Send(to, data, 0, count, out int errno);
        if (sent < 0)
        {
            if (errno != Again)
            {
                _failed = true;
                return;
            }
            sent = 0;
        }
        if (sent == count) return;
        flow.Pending = ArrayPool<byte>.Shared.Rent(Math.Max(PendingMinimum, count - sent));
        data.AsSpan(sent, count - sent).CopyTo(flow.Pending);
        flow.Offset = 0;
        flow.Count = count - sent;
    }

    private void Flush(Flow flow, int to)
    {
        if (flow.Pending is not { } pending) return;
        int sent = Linux.Send(to, pending, flow.Offset, flow.Count, out int errno);
        if (sent < 0)
        {
            if (errno != Again) _failed = true;
            return;
        }
        flow.Offset += sent;
        flow.Count -= sent;
        if (flow.Count > 0) return;
        flow.Pending = null;
        ArrayPool<byte>.Shared.Return(pending);
        PassFin(flow, to);
    }

    private static void PassFin(Flow flow, int to)
    {
        if (!flow.Ended || flow.Pending is not null || flow.FinPassed) return;
        Shutdown(to, ShutWrite);
        flow.FinPassed = true;
    }

    private void Finish(int epoll)
    {
        Control(epoll, CtlDel, _client, 0, 0, out _);
        if (!_upstreamRemoved) Control(epoll, CtlDel, _upstream, 0, 0, out _);
        if (_handBack && !_failed)
        {
            _end = PumpEnd.HandedBack;
            return;
        }
        foreach (Flow flow in (ReadOnlySpan<Flow>)[ToUpstream, ToClient])
        {
            if (flow.Pending is { } pending) ArrayPool<byte>.Shared.Return(pending);
            flow.Pending = null;
        }
        _end = PumpEnd.Closed;
    }

    /// <summary>
    /// The fence, on <paramref name="pairs"/>' loop: every client's reset first, then every member's, then the pairs end
    /// (their descriptors are closed by the proxy afterwards). Returns those it could not cut: already ended (a fault
    /// handed one back to the managed pump), or not registered yet.
    /// </summary>
    internal static List<PumpedPair> Cut(PumpedPair[] pairs, int epoll, List<EpollRegistration> finished)
    {
        var missed = new List<PumpedPair>();
        foreach (PumpedPair pair in pairs)
        {
            if (pair.Finished || !pair.Self.IsAllocated) missed.Add(pair);
            else Abort(pair._client);
        }
        foreach (PumpedPair pair in pairs)
        {
            if (pair.Finished || !pair.Self.IsAllocated) continue;
            Abort(pair._upstream);
            pair._failed = true;
            pair.Finish(epoll);
            finished.Add(pair);
        }
        return missed;
    }

    internal override void Complete() => _done.TrySetResult(_end!.Value);
}
