using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>One service: its kind, members and starting primary, and the sections that tune it.</summary>
internal static class ServiceSection
{
    private static readonly KeySet Keys = new(
        ["kind", "members", "primary", "check", "failover", "traffic", "hooks", "targets"],
        new Dictionary<string, string> { ["postgres"] = NotYet.Arrives(NotYet.PostgreSql) });

    private static readonly Dictionary<string, ServiceKind> Kinds = new()
    {
        ["http"] = ServiceKind.Http,
        ["tcp"] = ServiceKind.Tcp,
    };

    public static ServiceSpec? Read(ConfigReader reader, YamlNode node, string path, string name, AddressBook addresses)
    {
        if (reader.Mapping(node, path, Keys) is not { } s) return null;
        int before = reader.ErrorCount;

        ServiceKind? kind = s.Required("kind", "http or tcp") is { } kindNode
            ? reader.Choice(kindNode, s.KeyOf("kind"), Kinds, Planned)
            : null;
        var members = MembersSection.Read(s, addresses);
        string? primary = Primary(s, members.Names);
        CheckSpec? check = CheckSection.Read(s, kind);
        FailoverSpec? failover = FailoverSection.Read(s);
        ProxySpec? proxy = TrafficSection.Read(s, addresses);
        HooksSpec? hooks = HooksSection.Read(s);
        TargetsSpec? targets = TargetsSection.Read(s);

        // Every section is read whatever the others found, so one pass reports all; only a clean service is
        // built. The error count also covers values that are legitimately null when absent (proxy, expect_body).
        if (reader.ErrorCount > before || kind is not { } k || members.Specs is not { } m || primary is null
            || check is null || failover is null || hooks is null || targets is null)
            return null;
        return new ServiceSpec(name, k, m, primary, check, failover, proxy, hooks, targets);
    }

    private static string? Planned(string kind) =>
        kind is "postgres" or "redis" ? $"kind '{kind}' is not supported yet (supported: http, tcp)" : null;

    // http and tcp members cannot say which of them is primary, so the file must.
    private static string? Primary(ConfigMapping s, IReadOnlyList<string>? memberNames)
    {
        string key = s.KeyOf("primary");
        if (s.Required("primary", "the name of the member that starts as primary") is not { } node) return null;
        if (s.Reader.Scalar(node, key, "a member name") is not { } v) return null;
        if (memberNames is null || memberNames.Contains(v.Text)) return v.Text;
        s.Reader.Fail(node, key, v, $"'{v.Text}' is not a member of this service (members: {NodeText.List(memberNames)})");
        return null;
    }
}
