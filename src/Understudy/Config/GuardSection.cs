using System.Collections.Immutable;
using Understudy.Core.Guard;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// The whole of a guard file: <c>member</c>, <c>service</c>, <c>coordination</c> (the controller's keys, read by
/// <see cref="CoordinationSection"/>), <c>lease</c>, and how the member is stopped: <c>postgres</c> or
/// <c>fence_self</c> (with an optional <c>lift_self</c>), exactly one.
/// </summary>
internal static class GuardSection
{
    private static readonly KeySet Keys = new(["member", "service", "coordination", "lease", "postgres", "fence_self", "lift_self"]);
    private static readonly KeySet PostgresKeys = new(["data_dir", "bin_dir", "user"]);
    private const string Command = "a command as a sequence of strings, e.g. [systemctl, stop, web]";

    public static GuardSpec? Read(ConfigReader reader, YamlMappingNode root)
    {
        ConfigMapping top = ConfigMapping.Read(reader, root, "", Keys);
        string? member = Name(top, "member", "the member this guard stands beside, as the services' config names it");
        string? service = Name(top, "service", "the service the member belongs to");
        if (!CoordinationSection.TryRead(top, out CoordinationSpec? coordination) || coordination is null)
        {
            if (!top.Has("coordination")) top.Required("coordination", "the cluster's etcd, as in controller.coordination");
            else if (!top.IsSet("coordination")) reader.Error(top.KeyNode("coordination"), "coordination", "expected a mapping with etcd and cluster, got nothing");
        }
        TimeSpan? lease = top.Optional("lease") is { } l ? CoordinationSection.Lease(reader, l, "lease") : CoordinationDefaults.Lease;
        GuardPostgresSpec? postgres = Postgres(top);
        ImmutableArray<string>? fence = Commands(top, "fence_self"), lift = Commands(top, "lift_self");
        OneWayToFence(top);

        return member is not null && service is not null && coordination is not null && lease is { } ttl && fence is { } f && lift is { } up
               && reader.ErrorCount == 0
            ? new GuardSpec(member, service, coordination, ttl, postgres, f, up)
            : null;
    }

    private static void OneWayToFence(ConfigMapping top)
    {
        if (top.Has("postgres") && top.Has("fence_self"))
            top.Reader.Error(top.KeyNode("fence_self"), "fence_self", "give either postgres (pg_ctl stops the server) or fence_self, not both");
        else if (!top.Has("postgres") && !top.Has("fence_self"))
            top.Reader.Error(top.Node, "postgres", "required: postgres: { data_dir } for a PostgreSQL member, or fence_self: [command] for any other");
        if (top.Has("postgres") && top.Has("lift_self"))
            top.Reader.Error(top.KeyNode("lift_self"), "lift_self", "goes with fence_self; a PostgreSQL fence is lifted with pg_ctl start");
    }

    private static string? Name(ConfigMapping top, string key, string what)
    {
        if (top.Required(key, what) is not { } node || top.Reader.Scalar(node, key, "a name") is not { } v) return null;
        if (Names.IsValid(v.Text)) return v.Text;
        top.Reader.Fail(node, key, v, Names.WhyNot(v.Text));
        return null;
    }

    private static GuardPostgresSpec? Postgres(ConfigMapping top)
    {
        if (top.Section("postgres", PostgresKeys) is not { } p)
        {
            if (top.Has("postgres")) top.Reader.Error(top.KeyNode("postgres"), "postgres", "expected a mapping with data_dir, got nothing");
            return null;
        }
        string? data = p.Required("data_dir", "the member's PostgreSQL data directory") is { } d ? p.Reader.FilePath(d, p.KeyOf("data_dir")) : null;
        string? bin = p.Optional("bin_dir") is { } b ? p.Reader.FilePath(b, p.KeyOf("bin_dir")) : GuardDefaults.BinDir;
        string? user = p.Optional("user") is { } u ? p.Reader.Text(u, p.KeyOf("user"), "a user name") : GuardDefaults.User;
        if (user is { Length: 0 }) p.Reader.Error(p.Optional("user")!, p.KeyOf("user"), "expected a user name, got an empty value");
        return data is not null && bin is not null && user is { Length: > 0 } ? new GuardPostgresSpec(data, bin, user) : null;
    }

    /// <summary>Empty when absent; null after an error.</summary>
    private static ImmutableArray<string>? Commands(ConfigMapping top, string key) =>
        top.Optional(key) is not { } node ? []
        : top.Reader.NonEmptyList(node, key, Command, "argument", (n, k) => top.Reader.Text(n, k));
}
