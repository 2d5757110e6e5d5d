using System.Net.Sockets;

namespace Understudy.Traffic;

/// <summary>One client connection pumped to one member; <see cref="Close"/> cuts both sides at once.</summary>
internal sealed class ProxyConnection(Socket client, Socket upstream, string member, long epoch)
{
    public string Member { get; } = member;
    public long Epoch { get; } = epoch;

    public void Close()
    {
        Close(client);
        Close(upstream);
    }

    /// <summary>A FIN now, even while a pump's receive or send is pending on the socket, then the descriptor goes.</summary>
    public static void Close(Socket socket)
    {
        try { socket.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }
}
