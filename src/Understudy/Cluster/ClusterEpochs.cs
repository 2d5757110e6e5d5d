using System.Collections.Concurrent;
using Understudy.Coordination;
using Understudy.Core.Failover;
using Understudy.Failover;
using Understudy.Traffic;

namespace Understudy.Cluster;

/// <summary>
/// Stolon's proxy rule, with acknowledgements: on every new epoch of a service each instance's proxy closes its
/// connections to the member fenced, then the instance acknowledges the epoch in etcd. The leader's fence waits
/// until every live instance has (<see cref="IEpochBarrier"/>): one cut off from etcd stops being live once its
/// lease runs out — by then, by its own clock, it has stopped routing (the routing lease).
/// </summary>
public sealed partial class ClusterEpochs(EpochAcks acks, InstancePresence presence, TimeSpan lease, TimeProvider time, ILogger<ClusterEpochs> logger) : IEpochBarrier
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new();
    private readonly ConcurrentDictionary<string, long> _acked = new();

    /// <summary>This instance folded (or decided) a new epoch of <paramref name="after"/>'s service.</summary>
    public void Advanced(ServiceProxy? proxy, ServiceState before, ServiceState after)
    {
        _ = FenceThenAcknowledgeAsync(before.Primary != after.Primary ? proxy : null, before.Primary, after.Name, after.Epoch);
    }

    /// <summary>
    /// The acknowledgement says this proxy carries nothing more to the old primary, so it waits for the fence; and a
    /// service's epochs are acknowledged in turn, never backwards: epoch n+1's fence, finished first, must not stand for
    /// epoch n's still under way, nor n's later write take n+1's place.
    /// </summary>
    private async Task FenceThenAcknowledgeAsync(ServiceProxy? proxy, string? fenced, string service, long epoch)
    {
        SemaphoreSlim turn = _turns.GetOrAdd(service, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync();
        try
        {
            if (proxy is not null && fenced is not null) await proxy.FenceAsync(fenced);
            if (_acked.GetValueOrDefault(service) >= epoch) return;
            if (await AcknowledgeAsync(service, epoch)) _acked[service] = epoch;
        }
        catch (Exception e)
        {
            // Unacknowledged, the leader's fence waits and then fails: the safe side.
            Log.FenceFailed(logger, e, service, epoch);
        }
        finally { turn.Release(); }
    }

    private async Task<bool> AcknowledgeAsync(string service, long epoch)
    {
        // A few tries within the lease: past it, this instance is not live for the leader anyway.
        for (long until = time.GetTimestamp() + (long)(lease.TotalSeconds * time.TimestampFrequency); time.GetTimestamp() < until;)
        {
            try
            {
                await acks.AckAsync(service, epoch);
                return true;
            }
            catch (CoordinationUnavailable e)
            {
                Log.AckFailed(logger, service, epoch, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100), time);
            }
        }
        return false;
    }

    public async Task<string?> WaitAsync(string service, long epoch, CancellationToken ct)
    {
        // Past twice the lease every instance that could not acknowledge has lost its lease (and its presence).
        TimeSpan limit = lease * 2 + TimeSpan.FromSeconds(1);
        long start = time.GetTimestamp();
        string missing = "no instance could be read";
        while (time.GetElapsedTime(start) < limit)
        {
            try
            {
                var live = await presence.ReadAllAsync(ct);
                var acked = await acks.ReadAsync(service, ct);
                var behind = live.Where(i => acked.GetValueOrDefault(i.Name) < epoch).Select(i => i.Name).ToList();
                if (behind.Count == 0) return null;
                missing = $"{string.Join(", ", behind)} had not acknowledged epoch {epoch}";
            }
            catch (CoordinationUnavailable e)
            {
                missing = $"etcd could not be read ({e.Message})";
            }
            await Task.Delay(Poll, time, ct);
        }
        return $"not every instance confirmed it stopped routing to the old primary within {limit.TotalSeconds:0.#} s: {missing}";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 620, Level = LogLevel.Warning, Message = "{Service}: acknowledging epoch {Epoch} failed ({Why}); trying again")]
        public static partial void AckFailed(ILogger logger, string service, long epoch, string why);

        [LoggerMessage(EventId = 621, Level = LogLevel.Error, Message = "{Service}: fencing for epoch {Epoch} failed; not acknowledging it")]
        public static partial void FenceFailed(ILogger logger, Exception e, string service, long epoch);
    }
}
