using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Understudy.Core.Drills;
using Understudy.Core.Failover;
using Understudy.IntegrationTests.Fixtures;
using Understudy.Core.Topology;
using Understudy.Hosting;
using Understudy.Traffic;
using Understudy.Traffic.Pumping;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>
/// The byte stream through the proxy's pump, against a plain TCP member in the test: half-closes, both directions at
/// once with full socket buffers (so the pump stops and resumes reading), and a member that closes with bytes still
/// on their way to a slow client.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class ProxyPumpTests : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TcpListener _member = new(IPAddress.Loopback, 0);
    private readonly MemberFaults _faults = new(TimeProvider.System);
    private readonly ServiceProxy _proxy;
    private readonly ProxyListener _listener;
    private readonly int _proxyPort = FreePort.Next();

    public ProxyPumpTests()
    {
        _member.Start();
        int port = ((IPEndPoint)_member.LocalEndpoint).Port;
        var spec = new ServiceSpec("svc", ServiceKind.Tcp, [new MemberSpec("m", new HostPort("127.0.0.1", port))],
            "m", new CheckSpec(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 3, 2),
            new FailoverSpec(FailoverMode.Automatic, TimeSpan.Zero), new ProxySpec(new HostPort("127.0.0.1", _proxyPort), TimeSpan.FromSeconds(5)),
            HooksSpec.None, TargetsSpec.None);
        _proxy = new ServiceProxy(spec, new RouteBoard(new TrafficRoute(1, "m", false, false)), _ => { }, _faults,
            TimeProvider.System, NullLogger.Instance);
        _listener = ProxyListener.Start(new HostPort("127.0.0.1", _proxyPort), "services.svc.traffic.proxy.listen", _proxy.HandleAsync, NullLogger.Instance);
    }

    [Fact]
    public async Task ClientHalfCloses_TheMemberSeesItAndItsAnswerStillArrives()
    {
        using var cts = new CancellationTokenSource(Limit);
        using Socket client = await ConnectAsync(cts.Token);
        using Socket member = await _member.AcceptSocketAsync(cts.Token);

        await client.SendAsync(Encoding.ASCII.GetBytes("question"), cts.Token);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("question", Encoding.ASCII.GetString(await ReadToEndAsync(member, cts.Token)));

        await member.SendAsync(Encoding.ASCII.GetBytes("answer"), cts.Token);
        member.Shutdown(SocketShutdown.Send);
        Assert.Equal("answer", Encoding.ASCII.GetString(await ReadToEndAsync(client, cts.Token)));
        await Eventually.TrueAsync(() => _proxy.OpenConnections == 0, "the connection to end after the member's FIN");
    }

    [Fact]
    public async Task BothWaysAtOnce_EveryByteArrivesInOrder()
    {
        const int Bytes = 32 << 20;
        using var cts = new CancellationTokenSource(Limit);
        using Socket client = await ConnectAsync(cts.Token);
        using Socket member = await _member.AcceptSocketAsync(cts.Token);
        byte[] up = RandomNumberGenerator.GetBytes(Bytes), down = RandomNumberGenerator.GetBytes(Bytes);

        // Each side reads in small pieces while the other writes in large ones: buffers fill, the pump must wait and resume.
        Task<byte[]> memberGot = ReadExactlyAsync(member, Bytes, cts.Token);
        Task<byte[]> clientGot = ReadExactlyAsync(client, Bytes, cts.Token);
        await Task.WhenAll(client.SendAsync(up, cts.Token).AsTask(), member.SendAsync(down, cts.Token).AsTask());

        Assert.Equal(SHA256.HashData(up), SHA256.HashData(await memberGot));
        Assert.Equal(SHA256.HashData(down), SHA256.HashData(await clientGot));
        Assert.Equal(Bytes, _proxy.BytesIn);
        Assert.Equal(Bytes, _proxy.BytesOut);
    }

    [Fact]
    public async Task MemberClosesWithBytesInFlight_TheSlowClientGetsThemAllThenTheClose()
    {
        const int Bytes = 16 << 20;
        using var cts = new CancellationTokenSource(Limit);
        using Socket client = await ConnectAsync(cts.Token);
        byte[] down = RandomNumberGenerator.GetBytes(Bytes);
        Task memberDone = Task.Run(async () =>
        {
            using Socket member = await _member.AcceptSocketAsync(cts.Token);
            await member.SendAsync(down, cts.Token);
            member.Close(); // at once, while most of it still waits in buffers for the client
        }, cts.Token);

        await Eventually.TrueAsync(() => _proxy.BytesOut > 0, "the member's first bytes to pass");
        byte[] got = await ReadToEndAsync(client, cts.Token, piece: 1024);
        await memberDone;
        Assert.Equal(Bytes, got.Length);
        Assert.Equal(SHA256.HashData(down), SHA256.HashData(got));
    }

    [Fact]
    public async Task Fence_CutsEveryConnectionBothWays_OnTheLoopsAndOnTheManagedPump()
    {
        const int Pumped = 200;
        Assert.True(EpollLoops.Available, "the epoll pump is what this test is about");
        using var cts = new CancellationTokenSource(Limit);
        var pairs = new List<(Socket Client, Socket Member)>();
        try
        {
            for (int i = 0; i < Pumped; i++) pairs.Add(await ConnectedPairAsync(cts.Token));
            // One of them handed back to the managed pump: a fault is injected, and its next byte is read by a loop that
            // hands it back (the idle ones are not read, so they stay on the loops). The byte arrives, 1 ms late.
            _faults.Inject("m", new MemberFault(ProxyFaultKind.Latency, DateTimeOffset.UtcNow.AddMinutes(5), TimeSpan.FromMilliseconds(1), TimeSpan.Zero));
            var (handedBack, itsMember) = pairs[^1];
            await handedBack.SendAsync("b"u8.ToArray(), cts.Token);
            Assert.Equal("b", Encoding.ASCII.GetString(await ReadExactlyAsync(itsMember, 1, cts.Token)));
            _faults.Clear("m");

            Assert.Equal(Pumped, await _proxy.FenceAsync("m"));

            // Once the fence returned, nothing a client sends reaches the member, and both ends were aborted (a reset), not closed.
            foreach (var (client, member) in pairs)
            {
                bool sendMetReset = false; // the kernel tells a reset once: to this send if it came first, else to the read
                try { await client.SendAsync("late"u8.ToArray(), SocketFlags.None, cts.Token); }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { sendMetReset = true; }
                Assert.Equal((0, true), await ReadUntilResetAsync(member, cts.Token));
                var (bytes, readMetReset) = await ReadUntilResetAsync(client, cts.Token);
                Assert.Equal(0, bytes);
                Assert.True(sendMetReset || readMetReset, "the client was closed, not reset");
            }
            await Eventually.TrueAsync(() => _proxy.OpenConnections == 0, "every fenced connection to be released");
        }
        finally
        {
            foreach (var (client, member) in pairs)
            {
                client.Dispose();
                member.Dispose();
            }
        }
    }

    /// <summary>A client through the proxy and the member's end of it, a byte each way so the pump carries it.</summary>
    private async Task<(Socket, Socket)> ConnectedPairAsync(CancellationToken ct)
    {
        Socket client = await ConnectAsync(ct);
        Socket member = await _member.AcceptSocketAsync(ct);
        await client.SendAsync("q"u8.ToArray(), ct);
        Assert.Equal("q", Encoding.ASCII.GetString(await ReadExactlyAsync(member, 1, ct)));
        await member.SendAsync("a"u8.ToArray(), ct);
        Assert.Equal("a", Encoding.ASCII.GetString(await ReadExactlyAsync(client, 1, ct)));
        return (client, member);
    }

    [Fact]
    public async Task ConnectOutsideTheEngine_LeavesASocketThatANetworkStreamTakes()
    {
        // Redis synchronous mode's relay wraps the member's socket in a NetworkStream, which refuses a non-blocking one.
        using var cts = new CancellationTokenSource(Limit);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await ServiceProxy.ConnectOutsideEngineAsync(socket, (IPEndPoint)_member.LocalEndpoint, cts.Token);
        using Socket member = await _member.AcceptSocketAsync(cts.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync("ping"u8.ToArray(), cts.Token);
        Assert.Equal("ping", Encoding.ASCII.GetString(await ReadExactlyAsync(member, 4, cts.Token)));
    }

    private async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, _proxyPort, ct);
        return client;
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket s, int bytes, CancellationToken ct)
    {
        byte[] got = new byte[bytes];
        for (int at = 0; at < bytes;)
        {
            int n = await s.ReceiveAsync(got.AsMemory(at, Math.Min(4096, bytes - at)), ct);
            Assert.True(n > 0, $"closed after {at} of {bytes} bytes");
            at += n;
        }
        return got;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket s, CancellationToken ct, int piece = 64 * 1024)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[piece];
        while (await s.ReceiveAsync(buffer, ct) is var n and > 0) all.Write(buffer, 0, n);
        return all.ToArray();
    }

    /// <summary>How many bytes arrived before the end, and whether the end was a reset rather than a FIN.</summary>
    private static async Task<(int Bytes, bool Reset)> ReadUntilResetAsync(Socket s, CancellationToken ct)
    {
        byte[] buffer = new byte[4096];
        int bytes = 0;
        try
        {
            while (await s.ReceiveAsync(buffer, ct) is var n and > 0) bytes += n;
            return (bytes, false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return (bytes, true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _proxy.CloseAllAsync();
        _member.Stop();
    }
}
