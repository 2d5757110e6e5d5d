using System.Net.Sockets;

namespace Understudy.Traffic;

/// <summary>
/// Notices a client that leaves while its connection waits (held, or a connect slowed by a fault): a peek at one
/// byte, started only when there is a wait, so a plain connect costs nothing. A client that has sent something is
/// taken as present; its FIN then reaches the member through the pump.
/// </summary>
internal sealed class ClientWatch(Socket client) : IDisposable
{
    private CancellationTokenSource? _gone, _stop;

    public bool Watching => _gone is not null;
    public bool Gone => _gone?.IsCancellationRequested == true;

    /// <summary>Cancelled when the client closes or resets; the first read starts the watch.</summary>
    public CancellationToken Token
    {
        get
        {
            if (_gone is null)
            {
                _gone = new CancellationTokenSource();
                _stop = new CancellationTokenSource();
                _ = WatchAsync(_gone, _stop.Token);
            }
            return _gone.Token;
        }
    }

    private async Task WatchAsync(CancellationTokenSource gone, CancellationToken stop)
    {
        try
        {
            if (await client.ReceiveAsync(new byte[1], SocketFlags.Peek, stop) > 0) return;
        }
        catch (OperationCanceledException) { return; }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        gone.Cancel();
    }

    /// <summary>Stops the peek before the pump reads the socket.</summary>
    public void Dispose() => _stop?.Cancel();
}
