using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Understudy.IntegrationTests.Partitions.Net;

/// <summary>
/// Sockets inside a named network namespace (<c>/run/netns/NAME</c>), made from this process: a socket's namespace is
/// fixed when it is created, so a short-lived thread joins the namespace (setns acts on the calling thread only),
/// creates the socket and ends. The test reads the instances' APIs and runs its relays this way, without giving the
/// host an address on the lab's network.
/// </summary>
internal static class Netns
{
    private const int CloneNewNet = 0x40000000;

    public static Socket TcpSocket(string netns)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle($"/run/netns/{netns}");
                if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}");
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"no socket in {netns}", failure);
    }

    public static Socket Listen(string netns, IPEndPoint at)
    {
        Socket socket = TcpSocket(netns);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(at);
        socket.Listen(512);
        return socket;
    }

    public static async Task<Socket> ConnectAsync(string netns, EndPoint to, CancellationToken ct)
    {
        Socket socket = TcpSocket(netns);
        try { await socket.ConnectAsync(to, ct); }
        catch { socket.Dispose(); throw; }
        return socket;
    }

    /// <summary>An HTTP client whose connections start inside <paramref name="netns"/>.</summary>
    public static HttpClient Http(string netns, Uri baseAddress, TimeSpan timeout) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
                new NetworkStream(await ConnectAsync(netns, new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), ct), ownsSocket: true),
            PooledConnectionLifetime = TimeSpan.FromSeconds(5),
        })
        { BaseAddress = baseAddress, Timeout = timeout };

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
