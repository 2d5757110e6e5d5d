using System.Net;
using System.Net.Sockets;

namespace Understudy.IntegrationTests.Fixtures.Dns;

/// <summary>
/// Listens on another loopback address (127.0.0.2, which Linux routes to lo like all of 127/8) and relays each connection
/// to a port on 127.0.0.1: a sample app, which binds 127.0.0.1 only, reachable at an address of its own, so that two
/// members' A records differ.
/// </summary>
public sealed class LoopbackRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private LoopbackRelay(IPAddress address, int port, int target)
    {
        _listener = new TcpListener(address, port);
        _listener.Start();
        Address = $"{address}:{port}";
        _accepting = AcceptAsync(target);
    }

    /// <summary>Where clients connect: <c>127.0.0.2:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>Relays <paramref name="host"/>:<paramref name="port"/> to 127.0.0.1:<paramref name="target"/>.</summary>
    public static LoopbackRelay Start(string host, int port, int target) => new(IPAddress.Parse(host), port, target);

    private async Task AcceptAsync(int target)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = RelayAsync(inbound, target);
        }
    }

    private async Task RelayAsync(TcpClient inbound, int target)
    {
        using (inbound)
        using (var outbound = new TcpClient())
        {
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                NetworkStream a = inbound.GetStream(), b = outbound.GetStream();
                // Either side closing ends both: a health check's connection is short.
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
