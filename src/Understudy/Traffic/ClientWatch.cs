using System.Net.Sockets;
using Understudy.Traffic.Pumping;

namespace Understudy.Traffic;

/// <summary>
/// Notices a client that leaves while its connection waits (held, or a connect slowed by a fault): a peek at one
/// byte, started only when there is a wait, so a plain connect costs nothing. A client that has sent something is
/// taken as present; its FIN then reaches the member through the pump.
/// </summary>
internal sealed class ClientWatch(Socket client) : IAsyncDisposable
{
    private CancellationTokenSource? _gone, _stop;
    private Task _watching = Task.CompletedTask;

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
                _watching = WatchAsync(_gone, _stop.Token);
            }
            return _gone.Token;
        }
    }

    private async Task WatchAsync(CancellationTokenSource gone, CancellationToken stop)
    {
        try
        {
            if (await PresentAsync(stop)) return;
        }
        catch (OperationCanceledException) { return; }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        gone.Cancel();
    }

    /// <summary>
    /// True once the client sent a byte, false when it closed or failed. On Linux the wait is an epoll loop's: one
    /// the BCL's engine made would keep the socket in its set for good, and slow its pumping once it is served.
    /// </summary>
    private async Task<bool> PresentAsync(CancellationToken stop)
    {
        if (!EpollLoops.Available) return await client.ReceiveAsync(new byte[1], SocketFlags.Peek, stop) > 0;
        int fd = Linux.Descriptor(client);
        while (true)
        {
            try { await EpollLoops.WhenReadableAsync(fd, stop); }
            catch (SocketException) { return true; } // no room to watch: the controller's shortage says nothing about the client
            int n = Linux.PeekByte(fd, out int errno);
            if (n >= 0 || errno != Linux.Again) return n > 0;
        }
    }

    /// <summary>Stops the peek before the pump reads the socket or it is closed: done once no loop waits on it.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop?.Cancel();
        await _watching;
    }
}
