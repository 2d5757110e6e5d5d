using StackExchange.Redis;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>
/// How a Redis probe reaches its server through StackExchange.Redis. Without keepalive each call builds a
/// multiplexer of its own and disposes it after the reply, as a client that connects per request: a
/// multiplexer shared by every attempt would hide a dead backend behind a proxy (its one socket breaks once,
/// then the library reconnects in the background and fails or queues every attempt in between). Measured on
/// the 2-core test machine against a local redis-server 7.0: a fresh multiplexer per SET costs about 2.3 ms
/// (one TCP connection: HELLO, CLIENT ID, CLIENT SETNAME, PING, the command, QUIT), a reused one 0.2 ms; the
/// 2 ms is what a connect-per-request client pays too and is well under the 10 ms shortest interval. The
/// options trim the handshake to that one connection: no configuration channel (so no subscription
/// connection), no tie-breaker, INFO/CONFIG/CLUSTER/ECHO left out of the command map, one connect try
/// that fails at once (AbortOnConnectFail), and commands fail fast instead of waiting in a backlog while
/// the socket is down. With keepalive one multiplexer is reused, and dropped after a failure that may mean
/// a broken or stale connection (a connection error or a timeout), so the next attempt connects anew.
/// </summary>
internal sealed class RedisProbeConnection(string address, string? password, TimeSpan timeout, bool keepAlive) : IDisposable
{
    private static readonly CommandMap Trimmed = CommandMap.Create(["SUBSCRIBE", "CLUSTER", "INFO", "CONFIG", "ECHO"], available: false);
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _shared;
    private bool _disposed;

    /// <summary>Runs <paramref name="command"/> on a connection, bounded by <paramref name="ct"/> and the options' own timeouts.</summary>
    public Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken ct) =>
        keepAlive ? SharedAsync(command, ct) : OnceAsync(command, ct);

    private async Task<T> OnceAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken ct)
    {
        ConnectionMultiplexer mux = await ConnectAsync(address, password, timeout, ct);
        try { return await command(mux.GetDatabase()).WaitAsync(ct); }
        finally { await mux.CloseAsync(allowCommandsToComplete: false); await mux.DisposeAsync(); }
    }

    private async Task<T> SharedAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken ct)
    {
        Task<ConnectionMultiplexer> connecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            connecting = _shared ??= ConnectionMultiplexer.ConnectAsync(Options(address, password, timeout));
        }
        try
        {
            ConnectionMultiplexer mux = await connecting.WaitAsync(ct);
            return await command(mux.GetDatabase()).WaitAsync(ct);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            Drop(connecting);
            throw;
        }
    }

    /// <summary>A new multiplexer with the probe's options; one still connecting when <paramref name="ct"/> fires is disposed once it is done.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string address, string? password, TimeSpan timeout, CancellationToken ct)
    {
        Task<ConnectionMultiplexer> connecting = ConnectionMultiplexer.ConnectAsync(Options(address, password, timeout));
        try { return await connecting.WaitAsync(ct); }
        catch (OperationCanceledException)
        {
            DisposeWhenDone(connecting);
            throw;
        }
    }

    /// <summary>
    /// One PING before the drill starts probing: the first multiplexer in a process takes far longer than the
    /// next ones (StackExchange.Redis loads and compiles its code), so a short timeout would fail the first
    /// attempts of steady state for a reason no client has; an address nothing answers on fails the drill at once.
    /// </summary>
    public static async Task WarmUpAsync(ProbeSpec spec, string? password, CancellationToken ct)
    {
        try
        {
            await using ConnectionMultiplexer mux = await ConnectAsync(spec.Target, password, TimeSpan.FromSeconds(10), ct);
            await mux.GetDatabase().PingAsync().WaitAsync(ct);
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException)
        {
            throw new DrillException($"probe {spec.Name}: cannot reach Redis at {spec.Target}: {e.Message}");
        }
    }

    private void Drop(Task<ConnectionMultiplexer> failed)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_shared, failed)) return;
            _shared = null;
        }
        DisposeWhenDone(failed);
    }

    private static void DisposeWhenDone(Task<ConnectionMultiplexer> connecting) =>
        _ = connecting.ContinueWith(t => { if (t.IsCompletedSuccessfully) _ = t.Result.DisposeAsync(); }, TaskScheduler.Default);

    private static ConfigurationOptions Options(string address, string? password, TimeSpan timeout)
    {
        int ms = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        return new ConfigurationOptions
        {
            EndPoints = { address },
            Password = password,
            ClientName = "understudy-probe",
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            ConnectTimeout = ms,
            AsyncTimeout = ms,
            SyncTimeout = ms,
            ConfigurationChannel = "",
            TieBreaker = "",
            CommandMap = Trimmed,
            BacklogPolicy = BacklogPolicy.FailFast,
            SetClientLibrary = false,
        };
    }

    /// <summary>StackExchange.Redis's errors in DESIGN.md's kinds, as a client sees them.</summary>
    public static AttemptOutcome Classify(Exception e) => e switch
    {
        RedisTimeoutException => AttemptOutcome.Failure(ErrorKind.Timeout, "no reply in time"),
        RedisConnectionException { FailureType: ConnectionFailureType.Loading } => AttemptOutcome.Failure(ErrorKind.Refused, "the server is loading its data"),
        RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } ce => AttemptOutcome.Failure(ErrorKind.Other, $"authentication failed: {ce.Message}"),
        RedisConnectionException { InnerException: System.Net.Sockets.SocketException se } => OpenLoopProbe.Classify(se),
        RedisConnectionException ce when ce.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase) => AttemptOutcome.Failure(ErrorKind.Timeout, "no connection in time"),
        RedisConnectionException { FailureType: ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection } =>
            AttemptOutcome.Failure(ErrorKind.Refused, "could not connect"),
        RedisConnectionException ce => AttemptOutcome.Failure(ErrorKind.Reset, $"connection lost before the reply ({ce.FailureType})"),
        ObjectDisposedException => AttemptOutcome.Failure(ErrorKind.Reset, "connection dropped after another attempt failed"),
        RedisServerException se when se.Message.StartsWith("LOADING", StringComparison.Ordinal) => AttemptOutcome.Failure(ErrorKind.Refused, "the server is loading its data"),
        RedisServerException se => AttemptOutcome.Failure(ErrorKind.Other, $"Redis error: {se.Message}"),
        _ => OpenLoopProbe.Classify(e),
    };

    public void Dispose()
    {
        Task<ConnectionMultiplexer>? shared;
        lock (_gate)
        {
            (_disposed, shared, _shared) = (true, _shared, null);
        }
        if (shared is not null) DisposeWhenDone(shared);
    }
}
