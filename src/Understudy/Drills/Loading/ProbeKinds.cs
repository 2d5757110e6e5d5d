using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>The settings of each kind of probe: <c>http</c>, <c>tcp</c>, <c>http_write</c>, <c>sql_write</c>, <c>redis_write</c>, <c>redis</c>, <c>sql</c>.</summary>
internal static class ProbeKinds
{
    private const string HttpOnly = "only for http probes";
    private const string UrlExample = "http://127.0.0.1:9000/";

    // A key of another kind gets a message saying whose it is instead of "unknown key"; KeySet's messages for
    // planned keys serve that as well, since both are known keys that do not belong where they are written.
    private static readonly Dictionary<string, (ProbeKind Kind, KeySet Keys)> Kinds = new()
    {
        ["http"] = (ProbeKind.Http, new(["url", "expect_status", "interval", "timeout", "keepalive", "max_in_flight"], new Dictionary<string, string>
        {
            ["address"] = "only for tcp probes (http probes take url)",
            ["resolver"] = "only for tcp probes (an http probe's host is looked up by the system's resolver)",
            ["read_url"] = "only for http_write probes",
        })),
        ["tcp"] = (ProbeKind.Tcp, new(["address", "resolver", "interval", "timeout", "max_in_flight"], new Dictionary<string, string>
        {
            ["url"] = "tcp probes take address (host:port), not url",
            ["expect_status"] = HttpOnly,
            ["keepalive"] = HttpOnly,
            ["read_url"] = "only for http_write probes",
        })),
        ["http_write"] = (ProbeKind.HttpWrite, new(["url", "read_url", "interval", "timeout", "max_in_flight"], new Dictionary<string, string>
        {
            ["address"] = "only for tcp probes (http_write probes take url)",
            ["expect_status"] = HttpOnly,
            ["keepalive"] = HttpOnly,
        })),
        ["sql_write"] = (ProbeKind.SqlWrite, new(["connection", "table", "interval", "timeout", "keepalive", "max_in_flight"], new Dictionary<string, string>
        {
            ["url"] = "sql_write probes take connection (an Npgsql connection string), not url",
            ["address"] = "sql_write probes take connection (an Npgsql connection string), not address",
            ["expect_status"] = HttpOnly,
            ["read_url"] = "only for http_write probes",
            ["key_prefix"] = "only for redis_write probes (sql_write probes take table)",
        })),
        ["redis_write"] = (ProbeKind.RedisWrite, new(["address", "password", "key_prefix", "verify", "interval", "timeout", "keepalive", "max_in_flight"], new Dictionary<string, string>
        {
            ["url"] = "redis_write probes take address (host:port), not url",
            ["connection"] = "redis_write probes take address (host:port) and password, not connection",
            ["table"] = "only for sql_write probes (redis_write probes take key_prefix)",
            ["command"] = "only for redis probes (redis_write probes always SET)",
            ["expect_status"] = HttpOnly,
            ["read_url"] = "only for http_write probes (redis_write probes read back through address, or verify's)",
        })),
        ["redis"] = (ProbeKind.Redis, new(["address", "password", "command", "interval", "timeout", "keepalive", "max_in_flight"], new Dictionary<string, string>
        {
            ["url"] = "redis probes take address (host:port), not url",
            ["connection"] = "redis probes take address (host:port) and password, not connection",
            ["key_prefix"] = "only for redis_write probes",
            ["verify"] = "only for redis_write probes",
            ["expect_status"] = HttpOnly,
            ["read_url"] = "only for http_write probes",
        })),
        ["sql"] = (ProbeKind.Sql, new(["connection", "query", "interval", "timeout", "keepalive", "max_in_flight"], new Dictionary<string, string>
        {
            ["url"] = "sql probes take connection (an Npgsql connection string), not url",
            ["address"] = "sql probes take connection (an Npgsql connection string), not address",
            ["table"] = "only for sql_write probes (sql probes run query)",
            ["expect_status"] = HttpOnly,
            ["read_url"] = "only for http_write probes",
        })),
    };

    public static IReadOnlyList<string> Names { get; } = ["http", "tcp", "http_write", "sql_write", "redis_write", "redis", "sql"];

    /// <summary>The probe <paramref name="name"/> of kind <paramref name="kind"/>; null after an error, which is recorded.</summary>
    public static ProbeSpec? Read(ConfigReader reader, ConfigMapping probe, string kind, string name)
    {
        var (probeKind, keys) = Kinds[kind];
        if (reader.Mapping(probe.Optional(kind)!, probe.KeyOf(kind), keys) is not { } k) return null;
        int before = reader.ErrorCount;

        string? target = probeKind switch
        {
            ProbeKind.Tcp => Address(k),
            ProbeKind.SqlWrite or ProbeKind.Sql => SqlProbe.Connection(k),
            ProbeKind.RedisWrite or ProbeKind.Redis => Address(k, "the server's host:port, usually the service's proxy, e.g. address: 127.0.0.1:6390"),
            _ => Url(k, "url", required: true),
        };
        string? table = probeKind == ProbeKind.SqlWrite ? SqlProbe.Table(k) : null;
        RedisProbeSpec? redis = probeKind is ProbeKind.RedisWrite or ProbeKind.Redis ? RedisProbeSettings.Read(k, probeKind) : null;
        TimeSpan? interval = k.Optional("interval") is { } i ? DrillValues.AtLeast(reader, i, k.KeyOf("interval"), ProbeDefaults.MinInterval) : ProbeDefaults.Interval;
        TimeSpan? timeout = k.Optional("timeout") is { } t ? reader.Duration(t, k.KeyOf("timeout"), zeroAllowed: false) : ProbeDefaults.Timeout;
        int? status = k.Optional("expect_status") is { } s ? reader.Int(s, k.KeyOf("expect_status"), 100, 599) : 200;
        bool? keepAlive = k.Optional("keepalive") is { } ka ? reader.Bool(ka, k.KeyOf("keepalive")) : false;
        string? readUrl = k.Has("read_url") ? Url(k, "read_url", required: false) : null;
        int? maxInFlight = k.Optional("max_in_flight") is { } m ? reader.Int(m, k.KeyOf("max_in_flight"), min: 1) : ProbeDefaults.MaxInFlight;
        HostPort? resolver = k.Optional("resolver") is { } r ? Resolver(k, r, target) : null;
        string? query = probeKind == ProbeKind.Sql ? (k.Optional("query") is { } q ? DrillValues.NonEmpty(reader, q, k.KeyOf("query"), "an SQL statement, e.g. query: SELECT 1") : "SELECT 1") : null;

        if (reader.ErrorCount > before || target is null || interval is not { } every || timeout is not { } limit
            || status is not { } code || keepAlive is not { } keep || maxInFlight is not { } most)
            return null;
        return new ProbeSpec(name, probeKind, target, every, limit, code, keep, readUrl, most, table, redis, resolver, query);
    }

    /// <summary>A tcp probe's <c>resolver</c>: an IP:port, and then <c>address</c> must hold a name for it to look up.</summary>
    private static HostPort? Resolver(ConfigMapping k, YamlNode node, string? target)
    {
        if (k.Reader.Address(node, k.KeyOf("resolver")) is not { } resolver) return null;
        if (DnsSection.RecordAddress(resolver.Host) is null)
            k.Reader.Error(node, k.KeyOf("resolver"), $"expected the resolver's IP address and port (e.g. 127.0.0.1:53), got the host name in {resolver}");
        else if (HostPort.TryParse(target, out HostPort? address, out _) && System.Net.IPAddress.TryParse(address.Value.Host, out _))
            k.Reader.Error(node, k.KeyOf("resolver"), $"address {address} is an IP address: with a resolver, address names the host to look up (e.g. db.example.com:5432)");
        else return resolver;
        return null;
    }

    private static string? Url(ConfigMapping k, string key, bool required)
    {
        YamlNode? node = required ? k.Required(key, $"an absolute http or https URL such as {UrlExample}") : k.Optional(key);
        return node is null ? null : DrillValues.Url(k.Reader, node, k.KeyOf(key), UrlExample)?.Text;
    }

    // Kept as host:port text: the probe connects to it as written, and ToString gives back what TryParse reads.
    public static string? Address(ConfigMapping k, string what = "host:port, e.g. address: 127.0.0.1:9000") =>
        k.Required("address", what) is { } node && k.Reader.Address(node, k.KeyOf("address")) is { } a ? a.ToString() : null;
}
