using System.Globalization;

namespace Understudy.Coordination;

/// <summary>
/// Each instance's acknowledgement of a service's epoch: written once it has closed its connections to the fenced
/// member, under its instance lease, so an instance that dies takes its acknowledgements with it (DESIGN.md "Routing
/// lease, acknowledged epochs"). The leader reads them to know when every live instance has stopped routing there.
/// </summary>
public sealed class EpochAcks(EtcdStore store, InstancePresence presence)
{
    /// <summary>Records that this instance routes by <paramref name="epoch"/> of <paramref name="service"/>; needs a live lease.</summary>
    public async Task AckAsync(string service, long epoch, CancellationToken ct = default)
    {
        if (presence.CurrentLease is not { } lease)
            throw new CoordinationUnavailable(CoordinationFailure.LeaseNotFound, $"etcd ack: {presence.Name} has no lease yet");
        // Another live instance with this name would have its acknowledgement overwritten.
        if (!presence.IsRegistered)
            throw new CoordinationUnavailable(CoordinationFailure.Refused, $"etcd ack: {presence.Name} is not registered (is the name used twice?)");
        await store.PutAsync(store.Keys.Ack(service, presence.Name), epoch.ToString(CultureInfo.InvariantCulture), lease.Id, ct).ConfigureAwait(false);
    }

    /// <summary>Instance name → the epoch it acknowledged last, for every live instance that acknowledged any.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReadAsync(string service, CancellationToken ct = default)
    {
        string prefix = store.Keys.ServiceAcks(service);
        EtcdRange range = await store.RangeAsync(prefix, ct).ConfigureAwait(false);
        var acks = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (EtcdEntry e in range.Entries)
            if (long.TryParse(e.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)) acks[e.Key[prefix.Length..]] = epoch;
        return acks;
    }
}
