using System.Net;
using System.Net.Sockets;
using System.Text;
using Understudy.Checks;
using Understudy.Core.Detection;
using Understudy.Core.Topology;
using Understudy.Traffic.Pumping;

namespace Understudy.Tests.Checks;

/// <summary>
/// The HTTP and TCP checks on the proxy's epoll loops (an IP literal on Linux) against real loopback listeners: the
/// answers that need more than one read, a cancel mid-exchange, an early reset, and the paths a name still takes.
/// </summary>
public class LoopCheckTests
{
    private static readonly CheckSpec Spec = new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 3, 2, "/health");

    /// <summary>Bounds every wait of a test: a hang fails it instead of stalling the run.</summary>
    private static CancellationToken Bound => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static (TcpListener Listener, MemberSpec Member) Listen(IPAddress at, string? host = null)
    {
        var listener = new TcpListener(at, 0);
        listener.Start();
        return (listener, new MemberSpec("a", new HostPort(host ?? at.ToString(), ((IPEndPoint)listener.LocalEndpoint).Port)));
    }

    /// <summary>Reads the request's head, so the check is waiting for the answer once this returns.</summary>
    private static async Task ReadHeadAsync(Socket s)
    {
        var head = new StringBuilder();
        var buffer = new byte[1024];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            int n = await s.ReceiveAsync(buffer, SocketFlags.None, Bound);
            Assert.NotEqual(0, n);
            head.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    [Fact]
    public void TheLoopsAreWhatTheseTestsTake()
    {
        // Without the loops (not Linux) these tests still pass, on the BCL's engine: this says which one they covered.
        Assert.Equal(OperatingSystem.IsLinux(), EpollLoops.Available);
        Assert.Equal(OperatingSystem.IsLinux(), HttpHealthCheck.Target("127.0.0.1", 80, "/")
            .Item3 is not null);
        Assert.Null(HttpHealthCheck.Target("localhost", 80, "/").Item3);
    }

    [Fact]
    public async Task Http_AnswerLongerThanOneRead_IsReadToTheEnd()
    {
        // Over the loop's 64 KiB scratch buffer: the first read is kept and the rest read after it; the marker is in the last part.
        var (listener, member) = Listen(IPAddress.Loopback);
        using var _ = listener;
        string body = new string('x', 65_000) + "MARKER" + new string('y', 400);
        Task serving = Task.Run(async () =>
        {
            using Socket s = await listener.AcceptSocketAsync(Bound);
            await ReadHeadAsync(s);
            byte[] answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
            // In parts, each sent once the check has taken the last: it must keep what it read and read on.
            for (int at = 0; at < answer.Length; at += 20_000) await s.SendAsync(answer.AsMemory(at, Math.Min(20_000, answer.Length - at)), SocketFlags.None, Bound);
        });
        CheckOutcome outcome = await new HttpHealthCheck(Spec with { ExpectBody = "MARKER" }).CheckAsync(member, Bound);
        await serving;
        Assert.Equal((true, "HTTP 200"), (outcome.Ok, outcome.Detail));
    }

    [Fact]
    public async Task Http_CancelledWhileWaitingForTheAnswer_ClosesItsConnection()
    {
        var (listener, member) = Listen(IPAddress.Loopback);
        using var _ = listener;
        using var cancel = new CancellationTokenSource();
        Task<CheckOutcome> checking = new HttpHealthCheck(Spec).CheckAsync(member, cancel.Token);
        using Socket s = await listener.AcceptSocketAsync(Bound);
        await ReadHeadAsync(s);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => checking);
        // The check's socket is closed by then (and so out of the loop's set): this end reads its reset.
        await AssertResetAsync(s);
    }

    [Fact]
    public async Task Http_CancelledBeforeItStarts_ConnectsNothing()
    {
        var (listener, member) = Listen(IPAddress.Loopback);
        using var _ = listener;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new HttpHealthCheck(Spec).CheckAsync(member, new CancellationToken(true)));
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Http_ResetBeforeAnswering_ThrowsReset()
    {
        var (listener, member) = Listen(IPAddress.Loopback);
        using var _ = listener;
        Task<CheckOutcome> checking = new HttpHealthCheck(Spec).CheckAsync(member, Bound);
        using (Socket s = await listener.AcceptSocketAsync(Bound))
        {
            await ReadHeadAsync(s);
            s.LingerState = new LingerOption(true, 0); // closes with a RST
        }
        var e = await Assert.ThrowsAsync<SocketException>(() => checking);
        Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
    }

    [Fact]
    public async Task Http_OverIPv6_Passes()
    {
        if (!Socket.OSSupportsIPv6) return;
        var (listener, member) = Listen(IPAddress.IPv6Loopback);
        using var _ = listener;
        Task serving = AnswerOnceAsync(listener, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        CheckOutcome outcome = await new HttpHealthCheck(Spec).CheckAsync(member, Bound);
        await serving;
        Assert.Equal((true, "HTTP 200"), (outcome.Ok, outcome.Detail));
    }

    [Fact]
    public async Task Http_ByName_PassesOnTheEngine()
    {
        var (listener, member) = Listen(IPAddress.Loopback, host: "localhost");
        using var _ = listener;
        Task serving = AnswerOnceAsync(listener, "HTTP/1.1 204 No Content\r\n\r\n");
        CheckOutcome outcome = await new HttpHealthCheck(Spec with { ExpectStatus = 204 }).CheckAsync(member, Bound);
        await serving;
        Assert.Equal((true, "HTTP 204"), (outcome.Ok, outcome.Detail));
    }

    private static async Task AnswerOnceAsync(TcpListener listener, string answer)
    {
        using Socket s = await listener.AcceptSocketAsync(Bound);
        await ReadHeadAsync(s);
        await s.SendAsync(Encoding.ASCII.GetBytes(answer), SocketFlags.None, Bound);
    }

    /// <summary>The check ended its connection with a reset, as HAProxy ends its checks': no FIN, so no TIME_WAIT on either side.</summary>
    private static async Task AssertResetAsync(Socket s)
    {
        var e = await Assert.ThrowsAsync<SocketException>(async () => await s.ReceiveAsync(new byte[16], SocketFlags.None, Bound));
        Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
    }

    [Theory]
    [InlineData("127.0.0.1")] // on a loop
    [InlineData("localhost")] // on the engine
    public async Task Http_Answered_EndsItsConnectionWithAReset(string host)
    {
        // The member answers and keeps its side open, as a server slow to close would: the check's end is a reset, not a FIN.
        var (listener, member) = Listen(IPAddress.Loopback, host);
        using var _ = listener;
        Task<CheckOutcome> checking = new HttpHealthCheck(Spec).CheckAsync(member, Bound);
        using Socket s = await listener.AcceptSocketAsync(Bound);
        await ReadHeadAsync(s);
        await s.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), SocketFlags.None, Bound);
        Assert.True((await checking).Ok);
        await AssertResetAsync(s);
    }

    [Fact]
    public async Task Http_NeverAnswered_TimesOutInTheScheduler()
    {
        // The scheduler's own timeout (a cancelled token) on a check waiting on a loop: its detail as before, and the
        // connection closed before the result is reported.
        var (listener, member) = Listen(IPAddress.Loopback);
        using var _ = listener;
        CheckSpec spec = Spec with { Timeout = TimeSpan.FromMilliseconds(200) };
        var reported = new TaskCompletionSource<CheckResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = new CheckScheduler(member, spec, new HttpHealthCheck(spec), TimeProvider.System, r => reported.TrySetResult(r));
        using var stopping = new CancellationTokenSource();
        Task running = scheduler.RunAsync(stopping.Token);
        using Socket s = await listener.AcceptSocketAsync(Bound);
        await ReadHeadAsync(s);
        CheckResult result = await reported.Task.WaitAsync(Bound);
        stopping.Cancel();
        await running;
        Assert.Equal((false, "timeout after 200 ms", true), (result.Ok, result.Detail, result.TimedOut));
        await AssertResetAsync(s);
    }

    [Fact]
    public async Task Tcp_Connects_AndIsRefusedWithNothingListening()
    {
        var (listener, member) = Listen(IPAddress.Loopback);
        CheckOutcome outcome = await new TcpHealthCheck().CheckAsync(member, Bound);
        Assert.Equal((true, "connected"), (outcome.Ok, outcome.Detail));
        using (Socket accepted = await listener.AcceptSocketAsync(Bound)) await AssertResetAsync(accepted);
        listener.Stop();
        var e = await Assert.ThrowsAsync<SocketException>(() => new TcpHealthCheck().CheckAsync(member, Bound));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }

    [Theory]
    [InlineData(24, SocketError.TooManyOpenSockets, true)]      // EMFILE
    [InlineData(23, SocketError.TooManyOpenSockets, true)]      // ENFILE
    [InlineData(105, SocketError.NoBufferSpaceAvailable, true)] // ENOBUFS
    [InlineData(99, SocketError.AddressNotAvailable, true)]     // EADDRNOTAVAIL: no local port
    [InlineData(111, SocketError.ConnectionRefused, false)]
    [InlineData(104, SocketError.ConnectionReset, false)]
    [InlineData(110, SocketError.TimedOut, false)]
    [InlineData(113, SocketError.HostUnreachable, false)]
    [InlineData(32, SocketError.Shutdown, false)]               // EPIPE
    [InlineData(12, SocketError.SocketError, false)]            // ENOMEM: not in the BCL's table either
    public void Errno_ReadsAsTheBclReadsIt(int errno, SocketError expected, bool localShortage)
    {
        Assert.Equal(expected, Linux.ToSocketError(errno));
        Assert.Equal(localShortage, Errors.IsLocalShortage(new SocketException((int)Linux.ToSocketError(errno))));
    }
}
