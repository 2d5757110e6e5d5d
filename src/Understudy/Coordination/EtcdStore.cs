using dotnet_etcd;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Understudy.Core.Topology;

namespace Understudy.Coordination;

/// <summary>
/// The etcd calls coordination needs, over one client. Safety contract: every call ends within
/// <see cref="CallTimeout"/> (never more than half the lease, so a leader learns in time that it could not renew),
/// or by its caller's cancellation; it returns etcd's answer as a value, or throws <see cref="CoordinationUnavailable"/>
/// — never a gRPC exception. Nothing here retries a write: callers do, on their own schedule.
/// </summary>
public sealed partial class EtcdStore : IAsyncDisposable
{
    private readonly EtcdClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger<EtcdStore> _logger;

    public EtcdStore(CoordinationSpec spec, TimeProvider time, ILogger<EtcdStore> logger, TimeSpan? callTimeout = null)
    {
        _client = EtcdClients.Create(spec);
        _time = time;
        _logger = logger;
        CallTimeout = callTimeout is { } t && t < spec.CallTimeout ? t : spec.CallTimeout;
        Keys = new EtcdKeys(spec.Cluster);
    }

    public TimeSpan CallTimeout { get; }

    public EtcdKeys Keys { get; }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static readonly TimeSpan CallGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs one call under the deadline. gRPC reads its deadline against the system clock, so that one is taken
    /// from it (etcd abandons the request then too); what this side waits on is a token from the TimeProvider.
    /// </summary>
    private async Task<T> CallAsync<T>(string what, Func<DateTime, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        DateTime deadline = DateTime.UtcNow + CallTimeout;
        try
        {
            // The wait is bounded here too: a gRPC call stuck connecting to a cut-off member does not always honour its token.
            return await call(deadline, linked.Token).WaitAsync(CallTimeout + CallGrace, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw Unavailable(what, CoordinationFailure.Timeout, $"no answer within {Ms(CallTimeout)}", e);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            throw new OperationCanceledException($"{what}: cancelled", e, ct);
        }
        catch (OperationCanceledException e)
        {
            throw Unavailable(what, CoordinationFailure.Timeout, $"no answer within {Ms(CallTimeout)}", e);
        }
        catch (RpcException e)
        {
            throw Unavailable(what, Classify(e), e.StatusCode == StatusCode.DeadlineExceeded ? $"no answer within {Ms(CallTimeout)}" : $"{e.StatusCode}: {e.Status.Detail}", e);
        }
    }

    private CoordinationUnavailable Unavailable(string what, CoordinationFailure failure, string why, Exception? inner = null)
    {
        Log.CallFailed(_logger, what, failure, why);
        return new CoordinationUnavailable(failure, $"etcd {what}: {why}", inner);
    }

    private static CoordinationFailure Classify(RpcException e) => e.StatusCode switch
    {
        StatusCode.DeadlineExceeded or StatusCode.Cancelled => CoordinationFailure.Timeout,
        StatusCode.NotFound when e.Status.Detail.Contains("lease not found", StringComparison.Ordinal) => CoordinationFailure.LeaseNotFound,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.FailedPrecondition
            or StatusCode.OutOfRange or StatusCode.NotFound => CoordinationFailure.Refused,
        _ => CoordinationFailure.Unreachable,
    };

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "etcd {What} failed ({Failure}): {Why}")]
        public static partial void CallFailed(ILogger logger, string what, CoordinationFailure failure, string why);

        [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "watch of {Prefix} lost ({Why}); again from revision {Revision} in {Delay}")]
        public static partial void WatchLost(ILogger logger, string prefix, string why, long revision, TimeSpan delay);

        [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "watch of {Prefix} from revision {Revision} is on")]
        public static partial void WatchOn(ILogger logger, string prefix, long revision);

        [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "watch of {Prefix}: history from revision {Revision} is compacted (up to {Compacted})")]
        public static partial void WatchCompacted(ILogger logger, string prefix, long revision, long compacted);
    }
}
