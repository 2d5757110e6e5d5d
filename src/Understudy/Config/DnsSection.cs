using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>traffic.dns:</c> the name that points at the primary, replaced by a TSIG-signed RFC 2136 UPDATE. The name and zone
/// come out fully qualified; the key's secret only from <c>${ENV}</c> or <c>file:PATH</c>; every member's address must be
/// an IP address, since it is what the A or AAAA record will hold.
/// </summary>
internal static partial class DnsSection
{
    private static readonly KeySet Keys = new(["server", "zone", "name", "ttl", "tsig", "timeout"]);
    private static readonly KeySet TsigKeys = new(["name", "algorithm", "secret"]);

    /// <summary>How long the UPDATE and the queries that verify it may take together.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public const string DefaultAlgorithm = "hmac-sha256";

    /// <summary>The TSIG algorithms both ARSoft.Tools.Net and BIND's <c>tsig-keygen</c> know, by BIND's names.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["hmac-sha256", "hmac-sha512", "hmac-sha384", "hmac-sha224", "hmac-sha1", "hmac-md5"];

    /// <summary>Null when <paramref name="traffic"/> has none, or after an error, which is recorded.</summary>
    public static DnsSpec? Read(ConfigMapping traffic, MembersSection.MembersRead members)
    {
        if (traffic.Optional("dns") is not { } node) return null;
        ConfigReader reader = traffic.Reader;
        if (reader.Mapping(node, traffic.KeyOf("dns"), Keys) is not { } d) return null;
        int before = reader.ErrorCount;

        HostPort? server = d.Required("server", "IP:PORT of the DNS server that takes the updates (the zone's primary), e.g. 10.0.0.53:53") is { } s ? Server(d, s) : null;
        string? zone = d.Required("zone", "the zone the name is in, e.g. example.com") is { } z ? DomainName(d, z, "zone") : null;
        string? name = d.Required("name", "the name clients resolve to reach the primary, e.g. db.example.com") is { } n ? DomainName(d, n, "name") : null;
        if (zone is not null && name is not null && !IsInside(name, zone))
            reader.Error(d.Optional("name")!, d.KeyOf("name"), $"{name} is not inside zone {zone}");
        TimeSpan? ttl = d.Required("ttl", "how long resolvers may cache the record, e.g. 60s (clients may reach the old primary that long after a failover)") is { } t ? Ttl(d, t) : null;
        TsigSpec? tsig = d.Required("tsig", "the TSIG key that signs the updates: { name, algorithm, secret }") is { } k ? Tsig(d, k) : null;
        TimeSpan? timeout = d.Optional("timeout") is { } o ? reader.Duration(o, d.KeyOf("timeout"), zeroAllowed: false) : DefaultTimeout;
        MembersHaveAddresses(d, node, members);

        return reader.ErrorCount == before && server is { } srv && zone is not null && name is not null && ttl is { } seconds && tsig is not null && timeout is { } limit
            ? new DnsSpec(srv, zone, name, seconds, tsig, limit)
            : null;
    }

    /// <summary>The IP address a member's host stands for in an A or AAAA record, or null for a host name.</summary>
    public static IPAddress? RecordAddress(string host) =>
        // "10.1" and "10" parse as IPv4 too (inet_aton's forms); a record address is written in full.
        IPAddress.TryParse(host, out IPAddress? ip) && (ip.AddressFamily == AddressFamily.InterNetworkV6 || host.Count(c => c == '.') == 3) ? ip : null;

    /// <summary><paramref name="name"/> is <paramref name="zone"/> or below it (both fully qualified; DNS names ignore case).</summary>
    public static bool IsInside(string name, string zone) =>
        name.Equals(zone, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <paramref name="text"/> fully qualified (with its trailing dot), or null with why not: labels of 1 to 63 letters,
    /// digits, hyphens or underscores, 253 characters at most.
    /// </summary>
    public static string? Qualify(string text, out string whyNot)
    {
        string bare = text.EndsWith('.') ? text[..^1] : text;
        whyNot = bare.Length == 0 ? $"expected a domain name such as example.com, got '{text}'"
            : bare.Length > 253 ? $"a domain name has at most 253 characters (got {bare.Length})"
            : bare.Split('.').FirstOrDefault(l => !Label().IsMatch(l)) is { } bad
                ? bad.Length == 0 ? $"'{text}' has an empty label (two dots in a row, or a leading dot)"
                : bad.Length > 63 ? $"a label has at most 63 characters ('{bad}' has {bad.Length})"
                : $"'{bad}' in '{text}' is not a DNS label (letters, digits, hyphens and underscores)"
            : "";
        return whyNot.Length == 0 ? bare + "." : null;
    }

    [GeneratedRegex("^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")]
    private static partial Regex Label();

    private static string? DomainName(ConfigMapping d, YamlNode node, string key)
    {
        if (d.Reader.Scalar(node, d.KeyOf(key), "a domain name") is not { } v) return null;
        if (Qualify(v.Text.Trim(), out string whyNot) is { } qualified) return qualified;
        d.Reader.Fail(node, d.KeyOf(key), v, whyNot);
        return null;
    }

    private static HostPort? Server(ConfigMapping d, YamlNode node)
    {
        if (d.Reader.Address(node, d.KeyOf("server"), out string shown) is not { } server) return null;
        if (RecordAddress(server.Host) is not null) return server;
        // Looking the server up would ask DNS, which may be what is failing.
        d.Reader.Error(node, d.KeyOf("server"), $"expected the DNS server's IP address and port (e.g. 10.0.0.53:53), got the host name in {shown}");
        return null;
    }

    private static TimeSpan? Ttl(ConfigMapping d, YamlNode node)
    {
        // Zero is a valid TTL: resolvers should not cache the record at all.
        if (d.Reader.Duration(node, d.KeyOf("ttl"), zeroAllowed: true) is not { } ttl) return null;
        if (ttl.Ticks % TimeSpan.TicksPerSecond != 0)
            d.Reader.Error(node, d.KeyOf("ttl"), $"a TTL is whole seconds (got {Durations.Format(ttl)})");
        else if (ttl.TotalSeconds > int.MaxValue)
            d.Reader.Error(node, d.KeyOf("ttl"), $"a TTL is at most {int.MaxValue} seconds (RFC 2181)");
        else return ttl;
        return null;
    }

    private static TsigSpec? Tsig(ConfigMapping d, YamlNode node)
    {
        ConfigReader reader = d.Reader;
        if (reader.Mapping(node, d.KeyOf("tsig"), TsigKeys) is not { } t) return null;
        string? name = t.Required("name", "the key's name, as the server's key clause names it") is { } n ? DomainName(t, n, "name") : null;
        string? algorithm = t.Optional("algorithm") is { } a ? Algorithm(t, a) : DefaultAlgorithm;
        string? secret = t.Required("secret", "${ENV_VAR} or file:PATH holding the key's base64 secret") is { } s ? Secret(t, s) : null;
        return name is not null && algorithm is not null && secret is not null ? new TsigSpec(name, algorithm, secret) : null;
    }

    private static string? Algorithm(ConfigMapping t, YamlNode node)
    {
        string list = NodeText.List(Algorithms);
        if (t.Reader.Scalar(node, t.KeyOf("algorithm"), $"one of {list}") is not { } v) return null;
        if (Algorithms.FirstOrDefault(x => x.Equals(v.Text.Trim(), StringComparison.OrdinalIgnoreCase)) is { } known) return known;
        t.Reader.Fail(node, t.KeyOf("algorithm"), v, $"expected one of {list}, got '{v.Text}'");
        return null;
    }

    [GeneratedRegex("""secret\s+"(?<secret>[^"]*)"\s*;""")]
    private static partial Regex KeyClauseSecret();

    /// <summary>The base64 secret, from the environment or a file (bare, or the key clause <c>tsig-keygen</c> writes).</summary>
    private static string? Secret(ConfigMapping t, YamlNode node)
    {
        ConfigReader reader = t.Reader;
        string key = t.KeyOf("secret");
        const string expected = "${ENV_VAR} or file:PATH holding the key's base64 secret";
        if (reader.Scalar(node, key, expected) is not { } v) return null;
        if (!FileReferences.IsReference(v.Written) && !v.FromEnvironment)
        {
            // Never quote the value: it is a secret written where it should not be.
            reader.Error(node, key, "a TSIG secret must not be written in the file: use ${ENV_VAR} or file:PATH (the key file tsig-keygen wrote will do)");
            return null;
        }
        if (reader.Secret(node, key, expected) is not { } text) return null;
        string secret = KeyClauseSecret().Match(text) is { Success: true } m ? m.Groups["secret"].Value : text.Trim();
        if (secret.Length == 0) reader.Error(node, key, "the TSIG secret is empty");
        else if (!IsBase64(secret)) reader.Error(node, key, "the TSIG secret is not base64 (tsig-keygen writes it as `secret \"...\";`)");
        else return secret;
        return null;
    }

    private static bool IsBase64(string text) => Convert.TryFromBase64String(text, new byte[text.Length], out int bytes) && bytes > 0;

    private static void MembersHaveAddresses(ConfigMapping d, YamlNode node, MembersSection.MembersRead members)
    {
        foreach (MemberSpec m in members.Specs ?? [])
            if (RecordAddress(m.Address.Host) is null)
                d.Reader.Error(node, d.Path,
                    $"member {m.Name}'s address {m.Address} has a host name; the A or AAAA record holds the primary's IP address, so write the member's address as one");
    }
}
