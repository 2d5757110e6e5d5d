using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Understudy.IntegrationTests.Partitions.Net;

/// <summary>
/// A TCP relay inside a host's namespace, in front of a server on that host: the members' configured address is the
/// relay's, so everything that reaches the member over the network passes it. This kernel has no netem, so delay is
/// made here: <see cref="Latency"/> holds each chunk that long after it arrived (pipelined, order kept, both
/// directions), and <see cref="Spike"/> holds every byte, either way, until the spike ends — a stall in the flow as a
/// congested link or a hiccuping host gives, adding at most its length to any one exchange.
/// </summary>
public sealed class DelayRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _netns;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;
    private long _stalledUntilTicks;

    public DelayRelay(LabHost host, int port, IPEndPoint target)
    {
        _netns = host.Netns;
        _target = target;
        Address = new IPEndPoint(host.Address, port);
        _listener = Netns.Listen(host.Netns, Address);
        _accepting = AcceptAsync();
    }

    public IPEndPoint Address { get; }

    /// <summary>Added to every chunk, each way; zero by default.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>From now, for <paramref name="length"/>, nothing passes; what arrives meanwhile goes on when it ends.</summary>
    public void Spike(TimeSpan length) =>
        Interlocked.Exchange(ref _stalledUntilTicks, Environment.TickCount64 + (long)length.TotalMilliseconds);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (var s in _open.Keys) s.Dispose();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { return; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        _open[client] = 0;
        Socket? server = null;
        try
        {
            server = await Netns.ConnectAsync(_netns, _target, _stop.Token);
            _open[server] = 0;
            // When either side ends, both connections close: a relay passes a reset on as a close.
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or InvalidOperationException) { }
        finally
        {
            foreach (var s in new[] { client, server }.OfType<Socket>())
            {
                _open.TryRemove(s, out _);
                s.Dispose();
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var chunks = Channel.CreateUnbounded<(byte[] Data, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var sending = SendAsync(chunks.Reader, to);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, _stop.Token);
                if (n == 0) break;
                chunks.Writer.TryWrite((buffer[..n], Environment.TickCount64 + (long)Latency.TotalMilliseconds));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        chunks.Writer.TryComplete();
        await sending;
    }

    private async Task SendAsync(ChannelReader<(byte[] Data, long Due)> chunks, Socket to)
    {
        try
        {
            await foreach (var (data, due) in chunks.ReadAllAsync(_stop.Token))
            {
                // A spike may begin while a chunk waits: look again after each wait.
                for (long wait; (wait = Math.Max(due, Interlocked.Read(ref _stalledUntilTicks)) - Environment.TickCount64) > 0;)
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                await to.SendAsync(data, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
    }
}
