using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 17: a proxy that took the controller's last descriptors aborted it ("Out of memory.", exit 134) and failed
/// its checks. Now the proxy resets what the reserve does not leave room for; the controller, its API and its view of
/// the members are untouched. The Sentinel listener, on Kestrel, keeps the same reserve.
/// </summary>
[Collection(RealProcesses.Name)]
public class OpenFileLimitTests
{
    private const int Connections = 200; // more than the limit below would hold at two descriptors each

    [Fact]
    public async Task ProxyAtTheOpenFileLimit_ResetsTheRest_TheControllerAndTheMembersStayUp()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        // The reserve (256 at this limit) leaves room for about 20 proxied connections above what is open.
        await LowerLimitAsync(controller.Process.Id);

        var clients = new List<Socket>();
        int served = 0, reset = 0;
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
                clients.Add(s);
                if (await AnsweredAsync(s, pair.ProxyPort, "GET / HTTP/1.1\r\nHost: web\r\n\r\n")) served++;
                else reset++;
            }

            Assert.InRange(served, 1, Connections / 2);
            Assert.Equal(Connections - served, reset);
            Assert.False(controller.Process.HasExited, controller.Output);
            var web = await controller.ServiceAsync("web");
            Assert.Equal("web-a", web.Primary);
            Assert.All(web.Members, m => Assert.Equal("up", m.Health));
            Assert.Empty(await controller.EventsAsync("web", "member.down"));
        }
        finally
        {
            foreach (Socket s in clients) s.Dispose();
        }

        // Once the connections close, the proxy serves again.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            try { return (await http.GetAsync(pair.ProxyUrl)).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, "a request through the proxy");
        Assert.Contains("the controller keeps its last 256 of", controller.Output);
    }

    [Fact]
    public async Task SentinelAtTheOpenFileLimit_ResetsTheRest_TheControllerAndTheMembersStayUp()
    {
        int sentinelPort = FreePort.Next();
        await using var pair = await WebPair.StartAsync(kind: "tcp", trafficExtra: $"sentinel: {{ listen: 127.0.0.1:{sentinelPort}, answer: member }}");
        await using var controller = await pair.StartControllerAsync();
        // A Sentinel client takes one descriptor: the reserve leaves room for about 40 above what is open.
        await LowerLimitAsync(controller.Process.Id);

        var clients = new List<Socket>();
        int served = 0;
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
                clients.Add(s);
                if (await AnsweredAsync(s, sentinelPort, Ping)) served++;
            }

            Assert.InRange(served, 1, Connections / 2);
            Assert.False(controller.Process.HasExited, controller.Output);
            var web = await controller.ServiceAsync("web");
            Assert.All(web.Members, m => Assert.Equal("up", m.Health));
            Assert.Empty(await controller.EventsAsync("web", "member.down"));
        }
        finally
        {
            foreach (Socket s in clients) s.Dispose();
        }

        // Once the clients leave, the listener answers again.
        await Eventually.TrueAsync(async () =>
        {
            using var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
            return await AnsweredAsync(s, sentinelPort, Ping);
        }, "a PING to the Sentinel listener");
        Assert.Contains("services.web.traffic.sentinel.listen: connection refused: the controller keeps its last 256 of", controller.Output);
    }

    private const string Ping = "*1\r\n$4\r\nPING\r\n";

    /// <summary>
    /// Limits the controller to 300 open files more than it has. The limit is read at the first connection a listener
    /// checks, so lowering it now is what the listeners see.
    /// </summary>
    private static async Task LowerLimitAsync(int pid)
    {
        int limit = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length + 300;
        await RunAsync("prlimit", "--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={limit}:{limit}");
    }

    /// <summary>A request on a new connection: true if an answer came, false if the connection was reset or closed unanswered.</summary>
    private static async Task<bool> AnsweredAsync(Socket s, int port, string request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await s.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            await s.SendAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
            return await s.ReceiveAsync(new byte[256], timeout.Token) > 0;
        }
        catch (SocketException) { return false; }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{file} exited with {p.ExitCode}: {error}");
    }
}
