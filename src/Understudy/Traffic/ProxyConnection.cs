using System.Net.Sockets;
using System.Runtime.InteropServices;
using Understudy.Traffic.Pumping;

namespace Understudy.Traffic;

/// <summary>One client connection pumped to one member; the cuts and <see cref="Release"/> close both sides at once.</summary>
internal sealed class ProxyConnection(Socket client, Socket upstream, string member, long epoch)
{
    private bool _handedOver, _released;
    private PumpedPair? _pair;

    public string Member { get; } = member;
    public long Epoch { get; } = epoch;

    /// <summary>
    /// Before the epoll pump takes the descriptors: from then until <see cref="TakeBack"/> only the cuts reach
    /// them (a reset; the pump sees it and ends), so a descriptor it reads is never closed and reused under it.
    /// False when <see cref="Release"/> came first.
    /// </summary>
    public bool TryHandOver(PumpedPair pair)
    {
        lock (this)
        {
            _handedOver = !_released;
            _pair = _handedOver ? pair : null;
            return _handedOver;
        }
    }

    public void TakeBack()
    {
        lock (this)
        {
            _handedOver = false;
            _pair = null;
        }
    }

    /// <summary>
    /// The epoll pump's pair while it has the descriptors: the fence cuts it on its loop. Read without the lock (one
    /// reference, written under it): a fence reads thousands, and a lock on an object whose header holds its hash code
    /// (it is a dictionary's key) goes through a sync block each time.
    /// </summary>
    public PumpedPair? Pumped => Volatile.Read(ref _pair);

    /// <summary>A reset to the client now, even while a pump's receive or send is pending: the pump ends, the client hears the abort.</summary>
    public void CutClient() => Abort(client);

    /// <summary>The same to the member.</summary>
    public void CutUpstream() => Abort(upstream);

    /// <summary>The descriptors go (after the cuts); the pumps' own disposal finds them gone.</summary>
    public void Release()
    {
        lock (this)
        {
            if (_handedOver) return; // the pump's end releases them
            _released = true;
        }
        client.Dispose();
        upstream.Dispose();
    }

    /// <summary>Cut and release one socket.</summary>
    public static void Close(Socket socket)
    {
        Shutdown(socket);
        socket.Dispose();
    }

    private static void Shutdown(Socket socket)
    {
        try { socket.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    /// <summary>The fence's cut (<see cref="Linux.Abort"/>) on a socket the managed pump still has, or no pump yet.</summary>
    private static void Abort(Socket socket)
    {
        SafeHandle handle = socket.SafeHandle;
        bool held = false;
        try
        {
            handle.DangerousAddRef(ref held); // the descriptor cannot be closed, and its number reused, under the call
            Linux.Abort((int)handle.DangerousGetHandle());
        }
        catch (ObjectDisposedException) { } // released already: nothing left to cut
        finally
        {
            if (held) handle.DangerousRelease();
        }
    }
}
