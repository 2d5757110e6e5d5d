using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Understudy.Hosting;

/// <summary>
/// Asks the kernel for a free port on 127.0.0.1. The kernel may hand a just-released port out again, so
/// ports given out by this process are remembered and never returned twice (a race with other processes
/// remains: callers start their servers promptly).
/// </summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, byte> Given = new();

    public static int Next()
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            if (Given.TryAdd(port, 0)) return port;
        }
        throw new InvalidOperationException("no free port on 127.0.0.1 that this process has not already handed out");
    }
}
