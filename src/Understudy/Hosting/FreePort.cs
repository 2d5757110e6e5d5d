using System.Net;
using System.Net.Sockets;

namespace Understudy.Hosting;

/// <summary>Asks the kernel for a free port on 127.0.0.1 (a race remains, so callers start servers promptly).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
