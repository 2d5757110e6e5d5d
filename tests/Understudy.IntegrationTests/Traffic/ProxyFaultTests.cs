using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Understudy.Core.Drills;
using Understudy.IntegrationTests.Fixtures;
using Understudy.Traffic;

namespace Understudy.IntegrationTests.Traffic;

[Collection(RealProcesses.Name)]
public class ProxyFaultTests
{
    private static MemberFault For(ProxyFaultKind kind, int latencyMs = 0) =>
        new(kind, DateTimeOffset.UtcNow.AddSeconds(30), TimeSpan.FromMilliseconds(latencyMs), TimeSpan.Zero);

    [Fact]
    public async Task Reset_NewConnectFailsAsAPassiveCheckAndOpenConnectionsAreCut()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromMilliseconds(300));
        using var open = new TcpClient();
        await open.ConnectAsync("127.0.0.1", h.ProxyPort);
        await Eventually.TrueAsync(() => h.Proxy.OpenConnections == 1, "the first connection to be pumped");

        h.Faults.Inject("a", For(ProxyFaultKind.Reset));

        await Eventually.TrueAsync(() => h.Proxy.OpenConnections == 0, "the open connection to be cut");
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(h.Url));
        Assert.Contains(h.Passive, p => p.Member == "a" && p.Detail == "connection reset");
    }

    [Fact]
    public async Task Blackhole_TrafficOnAnOpenConnectionIsDropped()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", h.ProxyPort);
        var stream = client.GetStream();
        await Eventually.TrueAsync(() => h.Proxy.OpenConnections == 1, "the connection to be pumped");

        h.Faults.Inject("a", For(ProxyFaultKind.Blackhole));
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await stream.ReadAsync(new byte[100], cts.Token));
    }

    [Fact]
    public async Task Latency_DelaysEachAnswerByAtLeastTheLatency()
    {
        await using var h = await ProxyHarness.StartAsync(TimeSpan.FromSeconds(5));
        using var http = new HttpClient();
        Assert.Equal("a", await http.GetStringAsync(h.Url));

        h.Faults.Inject("a", For(ProxyFaultKind.Latency, latencyMs: 200));
        var sw = Stopwatch.StartNew();
        Assert.Equal("a", await http.GetStringAsync(h.Url));

        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(200), $"took {sw.Elapsed.TotalMilliseconds:0} ms");
    }
}
