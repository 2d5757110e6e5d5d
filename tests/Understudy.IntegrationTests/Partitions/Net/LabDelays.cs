namespace Understudy.IntegrationTests.Partitions.Net;

/// <summary>
/// Delay where it can be made: this kernel has no netem (<c>tc qdisc … netem</c> fails) and nft only drops, so delay
/// exists only where a <see cref="DelayRelay"/> stands in front of a server. Anywhere else it is refused, not faked.
/// </summary>
public sealed class LabDelays(IReadOnlyDictionary<string, DelayRelay> relays)
{
    public DelayRelay At(LabHost host) => relays.TryGetValue(host.Name, out var relay) ? relay
        : throw new NotSupportedException(
            $"delay on {host.Name}: this kernel has no netem (tc qdisc ... netem fails) and nft can only drop, so delay is made by a " +
            $"relay in front of a server; there is none on {host.Name} (relays: {(relays.Count == 0 ? "none" : string.Join(", ", relays.Keys.Order()))})");
}
