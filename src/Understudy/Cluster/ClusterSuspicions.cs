using Understudy.Coordination;
using Understudy.Core.Detection;

namespace Understudy.Cluster;

/// <summary>
/// Passes this instance's passive signals (its proxy could not connect) to the others through etcd, so the leader
/// confirms a crashed primary within fall × timeout even when only a follower's proxy has clients. Best effort: a
/// lost signal only means the leader finds the failure at its next check.
/// </summary>
public sealed partial class ClusterSuspicions(EtcdStore store, InstancePresence presence, string instance, ILogger<ClusterSuspicions> logger)
{
    public void Tell(string service, CheckResult passive)
    {
        if (presence.CurrentLease is not { } lease) return;
        // Started on the pool: the caller may be a service loop reading on the check grid's thread, where nothing may block,
        // and a gRPC call's start is not known not to.
        string key = store.Keys.Suspect(service, passive.Member, instance);
        ThreadPool.UnsafeQueueUserWorkItem(_ => _ = TellAsync(key, passive.Detail, lease.Id), null);
    }

    private async Task TellAsync(string key, string detail, long lease)
    {
        try { await store.PutAsync(key, detail, lease, CancellationToken.None); }
        catch (CoordinationUnavailable e) { Log.NotTold(logger, key, e.Message); }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 650, Level = LogLevel.Debug, Message = "could not tell the cluster of {Key}: {Why}")]
        public static partial void NotTold(ILogger logger, string key, string why);
    }
}
