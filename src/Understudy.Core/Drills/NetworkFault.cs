using System.Net;
using System.Net.Sockets;

namespace Understudy.Core.Drills;

/// <summary>An IP address, and a port when the fault is for one service on it (<c>127.0.0.1:5432</c>, <c>10.0.0.7</c>, <c>::1</c>).</summary>
public readonly record struct NetworkTarget(IPAddress Address, int? Port)
{
    public bool IsV6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public override string ToString() => Port is not { } port ? Address.ToString() : IsV6 ? $"[{Address}]:{port}" : $"{Address}:{port}";
}

public enum NetworkFaultKind { Drop, Loss, Delay }

/// <summary>
/// Disturb traffic between this host and <paramref name="Target"/> for <paramref name="Duration"/>: drop it all,
/// drop <paramref name="LossPercent"/> % of the packets (both with nft on this host), or delay it (through the
/// controller's proxy: this kernel has no netem).
/// </summary>
public sealed record NetworkFault(NetworkTarget Target, NetworkFaultKind Kind, TimeSpan Duration, int LossPercent = 0,
    TimeSpan Delay = default, TimeSpan Jitter = default) : DrillStep
{
    public override string Describe() => Kind switch
    {
        NetworkFaultKind.Drop => $"network drop {Target} for {Duration.TotalSeconds:0.###} s",
        NetworkFaultKind.Loss => $"network loss {LossPercent} % {Target} for {Duration.TotalSeconds:0.###} s",
        _ => $"network delay {Delay.TotalMilliseconds:0} ms ± {Jitter.TotalMilliseconds:0} ms {Target} for {Duration.TotalSeconds:0.###} s",
    };
}
