using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>traffic.haproxy:</c> one HAProxy instance's runtime API, or a sequence of them: exactly one of <c>socket</c> (a
/// Unix socket path) and <c>address</c> (its TCP admin address), the <c>backend</c>, optional <c>servers</c> (member →
/// server name, when they differ) and <c>timeout</c> (each runtime API exchange).
/// </summary>
internal static class HaproxySection
{
    private static readonly KeySet Keys = new(["socket", "address", "backend", "servers", "timeout", "shutdown_sessions"]);

    /// <summary>How long one runtime API exchange may take when <c>timeout</c> is not given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Empty when <paramref name="traffic"/> has none; null after an error, which is recorded.</summary>
    public static ImmutableArray<HaproxySpec>? Read(ConfigMapping traffic, MembersSection.MembersRead members)
    {
        ConfigReader reader = traffic.Reader;
        string key = traffic.KeyOf("haproxy");
        // As for the proxy: "haproxy:" with nothing after it is an instance without its socket, not "none".
        if (traffic.Optional("haproxy") is not { } node) return [];
        if (node is YamlSequenceNode)
            return reader.NonEmptyList(node, key, "a sequence of HAProxy instances", "HAProxy instance", (n, k) => Instance(reader, n, k, members));
        return Instance(reader, node, key, members) is { } one ? [one] : null;
    }

    private static HaproxySpec? Instance(ConfigReader reader, YamlNode node, string key, MembersSection.MembersRead members)
    {
        if (reader.Mapping(node, key, Keys) is not { } h) return null;
        int before = reader.ErrorCount;
        if (h.Has("socket") == h.Has("address"))
            reader.Error(h.Has("socket") ? h.KeyNode("address") : h.Node, h.Has("socket") ? h.KeyOf("address") : key,
                "give exactly one of socket (the path of HAProxy's stats socket, level admin) and address (its host:port)");
        string? socket = h.Optional("socket") is { } s ? reader.FilePath(s, h.KeyOf("socket")) : null;
        HostPort? address = h.Optional("address") is { } a ? reader.Address(a, h.KeyOf("address")) : null;
        string? backend = h.Required("backend", "the name of the HAProxy backend whose servers are the members") is { } b ? Word(h, b, "backend", "a backend name") : null;
        ImmutableDictionary<string, string>? servers = h.Optional("servers") is { } sv ? Servers(h, sv, members) : ImmutableDictionary<string, string>.Empty;
        TimeSpan? timeout = h.Optional("timeout") is { } t ? reader.Duration(t, h.KeyOf("timeout"), zeroAllowed: false) : DefaultTimeout;
        bool? shutdown = h.Optional("shutdown_sessions") is { } sd ? reader.Bool(sd, h.KeyOf("shutdown_sessions")) : true;
        if (reader.ErrorCount != before || backend is null || servers is null || timeout is not { } within || shutdown is not { } shut) return null;
        return new HaproxySpec(socket, address, backend, servers, within, shut);
    }

    /// <summary><c>servers: { member: server }</c>: each key a member of the service, each server named once.</summary>
    private static ImmutableDictionary<string, string>? Servers(ConfigMapping h, YamlNode node, MembersSection.MembersRead members)
    {
        ConfigReader reader = h.Reader;
        string key = h.KeyOf("servers");
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, key, $"expected a mapping of member names to server names, e.g. {{ web-a: srv1 }}, got {NodeText.Describe(node)}");
            return null;
        }
        int before = reader.ErrorCount;
        var servers = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (memberNode, serverNode) in mapping.Children)
        {
            if (reader.Scalar(memberNode, key, "a member name") is not { } m) continue;
            string memberKey = $"{key}.{m.Text}";
            if (members.Names is { } names && !names.Contains(m.Text))
            {
                reader.Fail(memberNode, memberKey, m, $"'{m.Text}' is not a member of this service (members: {NodeText.List(names)})");
                continue;
            }
            if (Word(h, serverNode, memberKey, "a server name") is not { } server) continue;
            if (owners.TryGetValue(server, out string? other))
            {
                reader.Error(serverNode, memberKey, $"server '{server}' is already member {other}'s: two members cannot share one server");
                continue;
            }
            owners[server] = m.Text;
            servers[m.Text] = server;
        }
        return reader.ErrorCount == before ? servers.ToImmutable() : null;
    }

    // Names go into commands such as "set server B/S state maint": a blank, '/', ';' or a control character would change the command.
    private static string? Word(ConfigMapping h, YamlNode node, string keyOrName, string what)
    {
        string key = keyOrName.Contains('.') ? keyOrName : h.KeyOf(keyOrName);
        if (h.Reader.Scalar(node, key, what) is not { } v) return null;
        if (v.Text.Length > 0 && !v.Text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or ';' or '#')) return v.Text;
        h.Reader.Fail(node, key, v, $"expected {what} without blanks, '/', ';', '#' or control characters (got '{v.Text}')");
        return null;
    }
}
