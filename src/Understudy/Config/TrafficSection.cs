using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary><c>traffic:</c> how clients are moved to the new primary; for now only the built-in proxy.</summary>
internal static class TrafficSection
{
    private static readonly KeySet Keys = new(["proxy"], new Dictionary<string, string>
    {
        ["haproxy"] = "traffic.haproxy is not supported yet (supported: proxy)",
        ["dns"] = "traffic.dns is not supported yet (supported: proxy)",
        ["hooks"] = "traffic.hooks is not supported yet (supported: proxy)",
    });

    private static readonly KeySet ProxyKeys = new(["listen", "hold", "drain_timeout"]);

    /// <summary>Whether the service's file asks for the built-in proxy (however well it is written).</summary>
    public static bool HasProxy(ConfigMapping service) =>
        service.Optional("traffic") is YamlDotNet.RepresentationModel.YamlMappingNode t && t.Children.Keys.Any(k => k is YamlDotNet.RepresentationModel.YamlScalarNode { Value: "proxy" });

    /// <summary>The proxy, or null when the service has none (or after an error, which is recorded).</summary>
    public static ProxySpec? Read(ConfigMapping service, AddressBook addresses)
    {
        ConfigReader reader = service.Reader;
        ConfigMapping? t = service.Section("traffic", Keys);
        // "proxy:" with nothing after it is a proxy without its listen address, not "no proxy".
        if (t?.Optional("proxy") is not { } node || reader.Mapping(node, t.KeyOf("proxy"), ProxyKeys) is not { } p) return null;

        HostPort? listen = null;
        if (p.Required("listen", "host:port for clients to connect to") is { } l)
        {
            listen = reader.Address(l, p.KeyOf("listen"), out string shown);
            if (listen is { } address) addresses.AddListen(address, shown, l, p.KeyOf("listen"));
        }
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
}
