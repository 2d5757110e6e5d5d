using System.Net;
using System.Net.Sockets;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures.Etcd;

/// <summary>
/// A TCP relay on 127.0.0.1 to one address, that can be cut like a partition: while cut, connections stay open and
/// no byte passes either way (new ones are accepted and stall too), so one instance loses etcd while another keeps it.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, FreePort.Next());
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly Task _accepting;
    private volatile TaskCompletionSource _open = Opened();

    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Cut()
    {
        if (_open.Task.IsCompleted) _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Restore() => _open.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Restore();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException) { }
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, _stop.Token);
                if (n == 0) return;
                await _open.Task.WaitAsync(_stop.Token); // while cut, hold the bytes
                await to.SendAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
    }
}
