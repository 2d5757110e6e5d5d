namespace Understudy.Failover;

/// <summary>
/// Before a new primary gets traffic, every proxy must have stopped routing to the fenced one. A single controller's
/// proxy is fenced by the step itself; a cluster waits until every live instance has acknowledged the epoch.
/// </summary>
public interface IEpochBarrier
{
    /// <summary>Null once every proxy routes by <paramref name="epoch"/>; otherwise why the fence cannot be trusted.</summary>
    Task<string?> WaitAsync(string service, long epoch, CancellationToken ct);

    /// <summary>A single controller: its own proxy is the only one, and the fence step has just closed its connections.</summary>
    public static readonly IEpochBarrier Alone = new AloneBarrier();

    private sealed class AloneBarrier : IEpochBarrier
    {
        public Task<string?> WaitAsync(string service, long epoch, CancellationToken ct) => Task.FromResult<string?>(null);
    }
}
