namespace Understudy.Core.Cluster;

/// <summary>Whether an instance's proxy may route: open, holding new connections, or closed (refusing them, open ones cut).</summary>
public enum RouteGate { Open, Hold, Closed }

/// <summary>What one instance of a cluster says of itself when asked by a peer whose etcd is unreachable.</summary>
/// <param name="Epochs">The committed epoch of each service, as this instance has folded it.</param>
public sealed record PeerReport(string Instance, bool EtcdReachable, IReadOnlyDictionary<string, long> Epochs);

/// <summary>
/// The routing lease (DESIGN.md, "Settled details, wave 2"): an instance routes only while its view of the
/// committed epoch is fresh — it heard from etcd within the lease, on its own monotonic clock from the last
/// keepalive it sent — or while a majority of the registered instances tell it etcd is unreachable for them
/// too and they hold the same epochs (failsafe: etcd lost by everyone is not a primary lost). Otherwise it may
/// be on the wrong side of a partition: it holds new connections for the proxy's hold, then refuses them and
/// closes open ones, so no client of it can reach a member fenced meanwhile.
/// </summary>
public static class RoutingLease
{
    /// <param name="staleFor">How long ago the lease ran out (zero or less: still fresh).</param>
    public static RouteGate Gate(TimeSpan staleFor, TimeSpan hold, bool failsafe) =>
        staleFor <= TimeSpan.Zero || failsafe ? RouteGate.Open
        : staleFor < hold ? RouteGate.Hold
        : RouteGate.Closed;

    /// <summary>
    /// Failsafe holds when more than half of <paramref name="registered"/> (this instance included) cannot reach
    /// etcd and hold exactly <paramref name="mine"/>'s epochs; <paramref name="why"/> says who agreed, or why not.
    /// </summary>
    public static bool Failsafe(IReadOnlyCollection<string> registered, string me, IReadOnlyDictionary<string, long> mine,
        IReadOnlyList<PeerReport> reports, out string why)
    {
        var agreeing = new SortedSet<string>(StringComparer.Ordinal) { me };
        var other = new List<string>();
        foreach (PeerReport r in reports.Where(r => r.Instance != me && registered.Contains(r.Instance)))
        {
            if (r.EtcdReachable) other.Add($"{r.Instance} reaches etcd");
            else if (!SameEpochs(mine, r.Epochs)) other.Add($"{r.Instance} holds other epochs");
            else agreeing.Add(r.Instance);
        }
        int needed = registered.Count / 2 + 1;
        bool holds = agreeing.Count >= needed;
        why = $"{agreeing.Count} of {registered.Count} registered instances ({string.Join(", ", agreeing)}) cannot reach etcd and hold the same epochs; {needed} needed"
            + (other.Count > 0 ? $" ({string.Join("; ", other)})" : "");
        return holds;
    }

    private static bool SameEpochs(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out long e) && e == p.Value);
}
