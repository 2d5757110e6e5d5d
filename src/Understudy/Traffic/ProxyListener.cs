using System.Net;
using System.Net.Sockets;
using Understudy.Core.Topology;
using Understudy.Hosting;

namespace Understudy.Traffic;

/// <summary>
/// One service's proxy listener: a plain socket accept loop (no Kestrel pipes between the client and the pump).
/// Disposing it closes only the listening socket; connections already handed over keep running, so a reload can
/// replace a listener without cutting clients.
/// </summary>
public sealed partial class ProxyListener : IAsyncDisposable
{
    private const int Backlog = 4096;
    private readonly Socket _socket;
    private readonly Func<Socket, Task> _handle;
    private readonly ILogger _logger;
    private readonly string _key;
    private readonly LogThrottle _acceptFailures;
    private readonly ReserveRefusals _refusals;
    private Task _accepting = Task.CompletedTask;
    private int _started;

    private ProxyListener(Socket socket, string key, Func<Socket, Task> handle, ILogger logger, TimeProvider time)
    {
        _socket = socket;
        _key = key;
        _handle = handle;
        _logger = logger;
        _acceptFailures = new LogThrottle(AcceptWarningEvery, time);
        _refusals = new ReserveRefusals(key, logger);
    }

    /// <summary>Binds now (a failure is a <see cref="StartupException"/> naming <paramref name="key"/>), then accepts in the background.</summary>
    public static ProxyListener Start(HostPort at, string key, Func<Socket, Task> handle, ILogger logger)
    {
        ProxyListener listener = Bind(at, key, handle, logger);
        listener.Accept();
        return listener;
    }

    /// <summary>
    /// Binds and listens, but hands nothing over until <see cref="Accept"/>: a reload binds every new listener before
    /// it changes anything, and one whose reload is refused must not have served anyone.
    /// </summary>
    public static ProxyListener Bind(HostPort at, string key, Func<Socket, Task> handle, ILogger logger, TimeProvider? time = null)
    {
        IPAddress ip = at.Host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(at.Host, out IPAddress? parsed) ? parsed
            : throw new StartupException($"{key}: listen on an IP address or localhost, not '{at.Host}'");
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Kestrel: a restart binds again at once despite connections in TIME_WAIT; on :: accept IPv4 too.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (ip.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(new IPEndPoint(ip, at.Port));
            socket.Listen(Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new StartupException($"{key}: cannot listen on {at}: {e.Message.ToLowerInvariant()}");
        }
        return new ProxyListener(socket, key, handle, logger, time ?? TimeProvider.System);
    }

    /// <summary>Starts handing accepted connections over; once.</summary>
    public void Accept()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0) _accepting = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try { client = await _socket.AcceptAsync(); }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted) { return; }
            catch (SocketException e)
            {
                // Out of file descriptors, say: keep the listener, give the host a moment instead of spinning.
                AcceptFailed(e);
                await Task.Delay(AcceptRetry);
                continue;
            }
            if (_refusals.Refuse(client))
            {
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.Listener.RunAsync(c.Client), (Listener: this, Client: client), preferLocal: false);
        }
    }

    private static readonly TimeSpan AcceptRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan AcceptWarningEvery = TimeSpan.FromSeconds(10);

    /// <summary>At the open-file limit every retry fails, 20 a second: one line per <see cref="AcceptWarningEvery"/> says how many.</summary>
    internal void AcceptFailed(SocketException e)
    {
        if (_acceptFailures.Admit(out long held))
            Log.AcceptFailed(_logger, _key, e.Message, AcceptRetry.TotalMilliseconds, AcceptWarningEvery.TotalSeconds, held);
    }

    private async Task RunAsync(Socket client)
    {
        try { await _handle(client); }
        catch (Exception e) { Log.ConnectionFailed(_logger, _key, e); }
        finally { client.Dispose(); }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _accepting;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "{Key}: accepting a connection failed: {Error}; retried every {RetryMs} ms, logged at most once per {Seconds} s; {Held} more failed since the last such line")]
        public static partial void AcceptFailed(ILogger logger, string key, string error, double retryMs, double seconds, long held);

        [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "{Key}: a proxied connection ended with an unexpected error")]
        public static partial void ConnectionFailed(ILogger logger, string key, Exception error);
    }
}
