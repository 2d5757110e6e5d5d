using System.Net;
using System.Net.Sockets;
using System.Text;
using Understudy.Checks;
using Understudy.Core.Topology;

namespace Understudy.Tests.Checks;

/// <summary>The HTTP check against a loopback listener that answers each connection with canned bytes.</summary>
public class HttpHealthCheckTests
{
    private static readonly CheckSpec Spec = new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 3, 2, "/health");

    /// <summary>Accepts one connection, records the request's head, writes <paramref name="response"/> and closes.</summary>
    private static async Task<(CheckOutcome Outcome, string Request)> CheckAgainst(string response, CheckSpec? spec = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        async Task<string> Serve()
        {
            using Socket s = await listener.AcceptSocketAsync();
            var head = new StringBuilder();
            var buffer = new byte[1024];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                int n = await s.ReceiveAsync(buffer);
                if (n == 0) break;
                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            await s.SendAsync(Encoding.UTF8.GetBytes(response));
            s.Shutdown(SocketShutdown.Both);
            return head.ToString();
        }
        Task<string> served = Serve();
        var check = new HttpHealthCheck(spec ?? Spec);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        CheckOutcome outcome = await check.CheckAsync(new MemberSpec("a", new HostPort("127.0.0.1", port)), timeout.Token);
        return (outcome, await served);
    }

    [Fact]
    public async Task CheckAsync_Passes_OnTheExpectedStatus()
    {
        var (outcome, request) = await CheckAgainst("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Assert.Equal((true, "HTTP 200"), (outcome.Ok, outcome.Detail));
        Assert.StartsWith("GET /health HTTP/1.1\r\nHost: 127.0.0.1:", request);
        Assert.EndsWith("\r\nConnection: close\r\n\r\n", request);
    }

    [Fact]
    public async Task CheckAsync_Fails_OnAnotherStatus()
    {
        var (outcome, _) = await CheckAgainst("HTTP/1.1 503 Service Unavailable\r\n\r\n");
        Assert.Equal((false, "HTTP 503, expected 200"), (outcome.Ok, outcome.Detail));
    }

    [Fact]
    public async Task CheckAsync_ExpectBody_LooksInTheBody()
    {
        CheckSpec body = Spec with { ExpectBody = "\"status\":\"ok\"" };
        var (found, _) = await CheckAgainst("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"statu\r\n9\r\ns\":\"ok\"}\r\n0\r\n\r\n", body);
        Assert.Equal((true, "HTTP 200"), (found.Ok, found.Detail));
        var (missing, _) = await CheckAgainst("HTTP/1.1 200 OK\r\n\r\n{\"status\":\"degraded\"}", body);
        Assert.Equal((false, "HTTP 200 without '\"status\":\"ok\"' in the body"), (missing.Ok, missing.Detail));
    }

    [Fact]
    public async Task CheckAsync_ClosedBeforeAnAnswer_ResponseEnded()
    {
        var (outcome, _) = await CheckAgainst("");
        Assert.Equal((false, "ResponseEnded"), (outcome.Ok, outcome.Detail));
    }

    [Fact]
    public async Task CheckAsync_NothingListening_ThrowsRefused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = await Assert.ThrowsAsync<SocketException>(() => new HttpHealthCheck(Spec).CheckAsync(new MemberSpec("a", new HostPort("127.0.0.1", port)), CancellationToken.None));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }
}
