using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Traffic;

[Collection(RealProcesses.Name)]
public class ServiceProxyTests
{
    private static HttpClient NewClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task Handle_RouteHolds_ConnectionWaitsThenGoesToTheNewTarget()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(10));
        h.Routes.Publish(new TrafficRoute(2, null, Hold: true, TargetDown: false));
        using var http = NewClient();

        Task<string> request = http.GetStringAsync(h.Url);
        await Eventually.TrueAsync(() => h.Proxy.Accepted == 1, "the proxy to accept");
        Assert.False(request.IsCompleted);

        h.Routes.Publish(new TrafficRoute(2, "b", Hold: false, TargetDown: false));
        Assert.Equal("b", await request);
    }

    [Fact]
    public async Task Handle_HoldExpires_ClientIsClosedAfterTheHold()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromMilliseconds(300));
        h.Routes.Publish(new TrafficRoute(2, null, Hold: true, TargetDown: false));
        using var http = NewClient();

        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(h.Url));
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.Equal(1, h.Proxy.Failed);
    }

    [Fact]
    public async Task Handle_ConnectRefused_ReportsPassiveFailureAndWaitsForTheRoute()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(10));
        h.Routes.Publish(new TrafficRoute(1, "dead", Hold: false, TargetDown: false));
        using var http = NewClient();

        Task<string> request = http.GetStringAsync(h.Url);
        await Eventually.TrueAsync(() => !h.Passive.IsEmpty, "a passive failure report");
        CheckResult passive = Assert.Single(h.Passive);
        Assert.Equal(("dead", false, CheckOrigin.Passive, "connection refused"), (passive.Member, passive.Ok, passive.Origin, passive.Detail));

        h.Routes.Publish(new TrafficRoute(2, "b", Hold: false, TargetDown: false));
        Assert.Equal("b", await request);
    }

    /// <summary>Issue 17: a controller out of descriptors must not fail over a healthy primary, nor hold clients it cannot serve.</summary>
    [Fact]
    public async Task Handle_NoDescriptorHereForTheMemberSocket_RefusesAtOnceWithoutReporting()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(10));
        Func<Socket> real = h.Proxy.NewSocket;
        h.Proxy.NewSocket = () => throw new SocketException((int)SocketError.TooManyOpenSockets);
        using var http = NewClient();

        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(h.Url));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed.TotalMilliseconds:0} ms");
        Assert.Empty(h.Passive);
        Assert.Equal(1, h.Proxy.Failed);

        h.Proxy.NewSocket = real; // descriptors free again
        Assert.Equal("a", await http.GetStringAsync(h.Url));
    }

    [Fact]
    public async Task Handle_TargetKnownDown_FailsFastWithoutReporting()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(10));
        h.Routes.Publish(new TrafficRoute(1, "dead", Hold: false, TargetDown: true));
        using var http = NewClient();

        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(h.Url));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed.TotalMilliseconds:0} ms");
        Assert.Empty(h.Passive);
    }

    [Fact]
    public async Task Fence_OpenConnectionsToTheMember_AreAbortedAtOnce()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", h.ProxyPort);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        byte[] buffer = new byte[4096];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        Assert.Equal(1, h.Proxy.OpenConnections);

        Assert.Equal(1, await h.Proxy.FenceAsync("a"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var aborted = await Assert.ThrowsAsync<IOException>(async () => Assert.Fail($"{await stream.ReadAsync(buffer, cts.Token)} bytes, then an end that was no reset"));
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(aborted.InnerException).SocketErrorCode);
        await Eventually.TrueAsync(() => h.Proxy.OpenConnections == 0, "the connection to be unregistered");
    }

    [Fact]
    public async Task Handle_ThousandsOfConcurrentConnections_AllHeldOpenAndServed()
    {
        const int Connections = 3000;
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(10));
        var clients = new List<TcpClient>();
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", h.ProxyPort);
                clients.Add(c);
            }
            byte[] request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            var answers = await Task.WhenAll(clients.Select(async c =>
            {
                var s = c.GetStream();
                await s.WriteAsync(request);
                byte[] buf = new byte[1024];
                var text = new StringBuilder();
                while (!text.ToString().EndsWith("\r\n\r\na", StringComparison.Ordinal))
                {
                    int n = await s.ReadAsync(buf);
                    if (n == 0) break;
                    text.Append(Encoding.ASCII.GetString(buf, 0, n));
                }
                return text.ToString();
            }));
            Assert.All(answers, a => Assert.EndsWith("\r\n\r\na", a));
            Assert.Equal(Connections, h.Proxy.OpenConnections);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }
}
