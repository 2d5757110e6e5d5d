using System.Net.Sockets;

namespace Understudy.Traffic;

/// <summary>One client connection pumped to one member; <see cref="Cut"/> and <see cref="Release"/> close both sides at once.</summary>
internal sealed class ProxyConnection(Socket client, Socket upstream, string member, long epoch)
{
    public string Member { get; } = member;
    public long Epoch { get; } = epoch;

    /// <summary>A FIN to both sides now, even while a pump's receive or send is pending: the pumps end, the client hears the close.</summary>
    public void Cut()
    {
        Shutdown(client);
        Shutdown(upstream);
    }

    /// <summary>The descriptors go (after <see cref="Cut"/>); the pumps' own disposal finds them gone.</summary>
    public void Release()
    {
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
}
