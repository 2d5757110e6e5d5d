using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Understudy.Traffic;

/// <summary>
/// A service's <c>traffic.sentinel</c> listener, run as a Kestrel connection handler beside the proxy: Sentinel-aware
/// Redis clients (redis-py, Jedis, StackExchange.Redis, ioredis) ask it where the master is and subscribe to
/// <c>+switch-master</c>, so they follow Understudy's failovers without a code change. A subscribed connection waits
/// on the route board's change signal; nothing polls.
/// </summary>
public sealed partial class SentinelListener(SentinelRoutes routes, ILogger logger)
{
    private long _clients;
    private readonly ReserveRefusals _refusals = new($"services.{routes.Service.Name}.traffic.sentinel.listen", logger);

    /// <summary>Like a Sentinel's run id: 40 hex characters, new at every start.</summary>
    public string RunId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public SentinelRoutes Routes => routes;

    public async Task HandleAsync(ConnectionContext connection)
    {
        // Kestrel accepts without a reserve: refuse here, before the connection costs more than its socket. Kestrel closes it as this returns.
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket && _refusals.Refuse(socket)) return;
        var session = new SentinelSession(routes, RunId, Interlocked.Increment(ref _clients));
        string? localHost = (connection.LocalEndPoint as IPEndPoint)?.Address.ToString();
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        var writer = new RespWriter(output);
        // Kestrel asks connections to close at shutdown: a subscriber would otherwise stay until the host's deadline.
        CancellationToken closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(closing, connection.ConnectionClosed);
        Task stop = Task.Delay(Timeout.Infinite, linked.Token);
        Task<ReadResult> read = input.ReadAsync().AsTask();
        try
        {
            while (true)
            {
                RouteBoard.Snapshot snapshot = routes.Current;
                if (session.Announce(routes.View(snapshot, localHost), writer) && (await output.FlushAsync()).IsCompleted) return;
                Task changed = session.Subscribed ? snapshot.Changed : stop;
                Task first = await Task.WhenAny(read, changed, stop);
                if (first == stop) return;
                if (first != read) continue;

                ReadResult result = await read;
                ReadOnlySequence<byte> buffer = result.Buffer;
                string? error = null;
                while (RespRequests.TryRead(ref buffer, out string[] words, out error))
                {
                    session.Handle(words, routes.View(routes.Current, localHost), writer);
                    if (session.Quitting) break;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (error is not null)
                {
                    Log.ProtocolError(logger, routes.Service.Name, connection.RemoteEndPoint?.ToString() ?? "?", error);
                    writer.Error($"ERR Protocol error: {error}");
                }
                FlushResult flushed = await output.FlushAsync();
                if (error is not null || session.Quitting || result.IsCompleted || flushed.IsCompleted) return;
                read = input.ReadAsync().AsTask();
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            await linked.CancelAsync();
            // A read still pending ends now, before Kestrel completes the pipe.
            if (!read.IsCompleted) input.CancelPendingRead();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 310, Level = LogLevel.Debug, Message = "{Service}: sentinel client {Client} sent a malformed request: {Error}")]
        public static partial void ProtocolError(ILogger logger, string service, string client, string error);
    }
}
