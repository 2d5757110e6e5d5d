using System.Collections.Immutable;

namespace Understudy.Core.Topology;

/// <summary>
/// Where a service's traffic is switched besides (or instead of) the built-in proxy: HAProxy instances through their
/// runtime API, a DNS record by RFC 2136 UPDATE, and commands. Each runs as one step of the failover plan, in that order.
/// </summary>
public sealed record TrafficSwitchesSpec(ImmutableArray<HaproxySpec> Haproxy, DnsSpec? Dns, ImmutableArray<HookSpec> Hooks)
{
    public static readonly TrafficSwitchesSpec None = new([], null, []);

    public bool Any => !Haproxy.IsEmpty || Dns is not null || !Hooks.IsEmpty;

    /// <summary>HAProxy puts the old primary in maintenance: routing itself fences it. DNS and commands cannot.</summary>
    public bool CanFence => !Haproxy.IsEmpty;
}

/// <summary>
/// One HAProxy instance's runtime API (<c>traffic.haproxy</c>): exactly one of <paramref name="Socket"/> (a Unix socket
/// path on this host) and <paramref name="Address"/> (its TCP admin address). The primary's server is <c>ready</c>, every
/// other member's <c>maint</c>.
/// </summary>
/// <param name="Servers">Member name → server name in <paramref name="Backend"/>; a member not listed is a server of its own name.</param>
/// <param name="Timeout">How long each runtime API exchange of a step may take.</param>
/// <param name="ShutdownSessions">
/// End the old primary's sessions when it is fenced. Off, HAProxy redispatches the requests it was retrying against a dead
/// server instead of failing them, but a live old primary (cut off from the controller, not from HAProxy) keeps its open
/// sessions until they end by themselves.
/// </param>
public sealed record HaproxySpec(string? Socket, HostPort? Address, string Backend, ImmutableDictionary<string, string> Servers, TimeSpan Timeout,
    bool ShutdownSessions = true)
{
    public string ServerOf(string member) => Servers.TryGetValue(member, out string? server) ? server : member;

    /// <summary>How the instance is named in journal reasons: its socket path or admin address.</summary>
    public string Where => Socket ?? Address!.Value.ToString();
}

/// <summary>
/// A DNS name that points at the primary (<c>traffic.dns</c>): replaced by a TSIG-signed RFC 2136 UPDATE sent to
/// <paramref name="Server"/>, then verified by a query to it. Members' addresses are IP addresses.
/// </summary>
/// <param name="Name">The record's owner name, fully qualified (ends with a dot).</param>
/// <param name="Zone">The zone the UPDATE is for, fully qualified.</param>
public sealed record DnsSpec(HostPort Server, string Zone, string Name, TimeSpan Ttl, TsigSpec Tsig, TimeSpan Timeout);

/// <summary>A TSIG key. <paramref name="Secret"/> is base64, already resolved from <c>${ENV}</c> or <c>file:PATH</c>; never logged.</summary>
public sealed record TsigSpec(string KeyName, string Algorithm, string Secret)
{
    public override string ToString() => $"TsigSpec {{ KeyName = {KeyName}, Algorithm = {Algorithm}, Secret = *** }}";
}
