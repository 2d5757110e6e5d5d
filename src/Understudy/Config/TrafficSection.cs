using System.Collections.Immutable;
using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>
/// <c>traffic:</c> how clients are moved to the new primary: the built-in proxy, HAProxy's runtime API, a DNS record,
/// commands (any of them together), and for redis and tcp services a Sentinel listener.
/// </summary>
internal static class TrafficSection
{
    private static readonly KindKeySet Keys = new(["proxy", "haproxy", "dns", "hooks"], [([ServiceKind.Redis, ServiceKind.Tcp], ["sentinel"])]);

    private static readonly KeySet ProxyKeys = new(["listen", "hold", "drain_timeout"]);

    /// <summary>Whether the service's file asks for the built-in proxy (however well it is written).</summary>
    public static bool HasProxy(ConfigMapping service) =>
        service.Optional("traffic") is YamlDotNet.RepresentationModel.YamlMappingNode t && t.Children.Keys.Any(k => k is YamlDotNet.RepresentationModel.YamlScalarNode { Value: "proxy" });

    /// <summary>What <c>traffic</c> sets up; each part null when the service has none (or after an error, which is recorded).</summary>
    public sealed record Read(ProxySpec? Proxy, SentinelSpec? Sentinel, TrafficSwitchesSpec? Switches);

    public static Read From(ConfigMapping service, ServiceKind? kind, string serviceName, AddressBook addresses, MembersSection.MembersRead members)
    {
        ConfigMapping? t = service.Section("traffic", Keys.For(kind));
        if (t is null) return new Read(null, null, null);
        ProxySpec? proxy = Proxy(t, addresses);
        SentinelSpec? sentinel = SentinelSection.Read(t, serviceName, addresses);
        int before = t.Reader.ErrorCount;
        var haproxy = HaproxySection.Read(t, members);
        DnsSpec? dns = DnsSection.Read(t, members);
        ImmutableArray<HookSpec>? hooks = HooksSection.List(t, "hooks", Placeholders.Hooks);
        TrafficSwitchesSpec? switches = t.Reader.ErrorCount == before && haproxy is { } h && hooks is { } k ? new TrafficSwitchesSpec(h, dns, k) : null;
        return new Read(proxy, sentinel, switches is { Any: true } ? switches : null);
    }

    private static ProxySpec? Proxy(ConfigMapping t, AddressBook addresses)
    {
        ConfigReader reader = t.Reader;
        // "proxy:" with nothing after it is a proxy without its listen address, not "no proxy".
        if (t.Optional("proxy") is not { } node || reader.Mapping(node, t.KeyOf("proxy"), ProxyKeys) is not { } p) return null;

        HostPort? listen = Listen(p, addresses, "host:port for clients to connect to");
        // Zero turns holding off: new connections are refused at once while no primary is routable.
        TimeSpan? hold = p.Optional("hold") is { } h ? reader.Duration(h, p.KeyOf("hold"), zeroAllowed: true) : ProxyDefaults.Hold;
        // Zero closes open connections at once when a switchover begins.
        int errors = reader.ErrorCount;
        TimeSpan? drain = p.Optional("drain_timeout") is { } d ? reader.Duration(d, p.KeyOf("drain_timeout"), zeroAllowed: true) : null;
        // Held connections are closed when the hold runs out: a drain as long would drop them just before the switch.
        if (drain is { } wanted && hold is { } held0 && held0 > TimeSpan.Zero && wanted >= held0)
            reader.Error(p.Optional("drain_timeout")!, p.KeyOf("drain_timeout"),
                $"must be below hold ({Durations.Format(held0)}): connections held during a switchover's drain would be closed before the switch");
        return listen is { } ok && hold is { } held && reader.ErrorCount == errors ? new ProxySpec(ok, held, drain) : null;
    }

    /// <summary>A listener's required <c>listen</c>, registered with the address book so no two listeners share an address.</summary>
    public static HostPort? Listen(ConfigMapping listener, AddressBook addresses, string what)
    {
        if (listener.Required("listen", what) is not { } l) return null;
        HostPort? listen = listener.Reader.Address(l, listener.KeyOf("listen"), out string shown);
        if (listen is { } address) addresses.AddListen(address, shown, l, listener.KeyOf("listen"));
        return listen;
    }
}
