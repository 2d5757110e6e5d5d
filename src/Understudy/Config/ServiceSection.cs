using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>One service: its kind, members and primary, and the sections that tune it.</summary>
internal static class ServiceSection
{
    private static readonly KeySet Keys = new(["kind", "postgres", "redis", "members", "primary", "check", "failover", "traffic", "hooks", "targets", "alerts", "maintenance"]);

    public static ServiceSpec? Read(ConfigReader reader, YamlNode node, string path, string name, AddressBook addresses)
    {
        if (reader.Mapping(node, path, Keys) is not { } s) return null;
        int before = reader.ErrorCount;

        ServiceKind? kind = s.Required("kind", "http, tcp, postgres or redis") is { } kindNode
            ? reader.Choice(kindNode, s.KeyOf("kind"), ServiceKinds.ByName)
            : null;
        PostgresSpec? postgres = PostgresSection.Read(s, kind);
        RedisSpec? redis = RedisSection.Read(s, kind);
        var members = MembersSection.Read(s, kind, addresses);
        string? primary = Primary(s, kind, members);
        CheckSpec? check = CheckSection.Read(s, kind);
        FailoverSpec? failover = FailoverSection.Read(s, kind);
        TrafficSection.Read traffic = TrafficSection.From(s, kind, name, addresses, members);
        HooksSpec? hooks = HooksSection.Read(s);
        TargetsSpec? targets = TargetsSection.Read(s);
        ImmutableArray<AlertChannelSpec>? alerts = AlertsSection.Read(s);
        MaintenanceSpec? maintenance = MaintenanceSection.Read(s, out bool maintenanceFailed);

        // Every section is read whatever the others found, so one pass reports all; only a clean service is
        // built. The error count also covers values that are legitimately null when absent (proxy, sentinel, expect_body).
        if (reader.ErrorCount > before || kind is not { } k || members.Specs is not { } m || primary is null
            || check is null || failover is null || hooks is null || targets is null || alerts is not { } channels
            || (k == ServiceKind.Postgres && postgres is null) || (k == ServiceKind.Redis && redis is null) || maintenanceFailed)
            return null;
        if (!CanFence(s, traffic, hooks)) return null;
        return new ServiceSpec(name, k, m, primary, check, failover, traffic.Proxy, hooks, targets, postgres, channels, redis, maintenance, traffic.Sentinel, traffic.Switches);
    }

    /// <summary>
    /// Routing fences the old primary when it goes through the built-in proxy or HAProxy (maint). A service reached only
    /// through DNS or commands has nothing that stops clients reaching the old primary, so it needs a required fence hook.
    /// </summary>
    private static bool CanFence(ConfigMapping s, TrafficSection.Read traffic, HooksSpec hooks)
    {
        if (traffic.Switches is not { } sw || traffic.Proxy is not null || sw.CanFence || hooks.Fence.Any(h => h.Required)) return true;
        s.Reader.Error(s.Optional("traffic")!, s.KeyOf("traffic"),
            "traffic through dns or hooks alone cannot fence the old primary (clients that resolved it, or a platform that failed to switch, still reach it): " +
            "add a required hooks.fence that stops it, or route through traffic.proxy or traffic.haproxy");
        return false;
    }

    // http and tcp members cannot say which of them is primary, so the file must. PostgreSQL and Redis servers can:
    // there the key is only a hint (the controller reads the roles from the servers), and without it the
    // first member stands in until they have been read.
    private static string? Primary(ConfigMapping s, ServiceKind? kind, MembersSection.MembersRead members)
    {
        string key = s.KeyOf("primary");
        if (kind is ServiceKind.Postgres or ServiceKind.Redis && !s.Has("primary")) return members.Specs is [var first, ..] ? first.Name : null;
        IReadOnlyList<string>? memberNames = members.Names;
        if (s.Required("primary", "the name of the member that starts as primary") is not { } node) return null;
        if (s.Reader.Scalar(node, key, "a member name") is not { } v) return null;
        if (memberNames is null || memberNames.Contains(v.Text)) return v.Text;
        s.Reader.Fail(node, key, v, $"'{v.Text}' is not a member of this service (members: {NodeText.List(memberNames)})");
        return null;
    }
}
