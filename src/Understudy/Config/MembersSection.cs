using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>members:</c> at least two, with unique names and addresses, not all of them <c>nofailover</c>.
/// <see cref="MembersRead.Names"/> is kept even when some member is wrong, so <c>primary</c> can still be
/// checked against the names that are right.
/// </summary>
internal static class MembersSection
{
    public sealed record MembersRead(ImmutableArray<MemberSpec>? Specs, IReadOnlyList<string>? Names);

    private static readonly KindKeySet Keys = new(["name", "address", "priority", "pidfile", "site"], [(ServiceKinds.Replicated, ["nofailover"]), ([ServiceKind.Postgres], ["data_dir"])]);

    public static MembersRead Read(ConfigMapping service, ServiceKind? kind, AddressBook addresses)
    {
        ConfigReader reader = service.Reader;
        string key = service.KeyOf("members");
        if (service.Required("members", "a sequence of at least two members") is not { } node
            || reader.Sequence(node, key, "a sequence of members") is not { } sequence)
            return new MembersRead(null, null);

        int before = reader.ErrorCount;
        if (sequence.Children.Count < 2)
            reader.Error(sequence, key, $"a failover needs at least two members (got {sequence.Children.Count})");

        var names = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var taken = new List<(HostPort Address, string Owner)>();
        var specs = ImmutableArray.CreateBuilder<MemberSpec>();
        KeySet keys = Keys.For(kind);
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            if (reader.Mapping(sequence.Children[i], $"{key}[{i}]", keys) is not { } m) continue;
            string? name = Name(m, names);
            HostPort? address = Address(m, name, taken, addresses);
            int? priority = m.Optional("priority") is { } p ? reader.Int(p, m.KeyOf("priority"), int.MinValue) : 0;
            string? pidFile = m.Optional("pidfile") is { } f ? reader.FilePath(f, m.KeyOf("pidfile")) : null;
            bool? noFailover = m.Optional("nofailover") is { } n ? reader.Bool(n, m.KeyOf("nofailover")) : false;
            string? dataDir = m.Optional("data_dir") is { } d ? reader.FilePath(d, m.KeyOf("data_dir")) : null;
            string? site = m.Optional("site") is { } st ? Site(m, st) : null;
            if (m.Optional("site") is not null && site is null) continue;
            if (name is null || address is not { } a || priority is not { } prio || noFailover is not { } never) continue;
            specs.Add(new MemberSpec(name, a, prio, pidFile, never, dataDir, site));
        }
        if (reader.ErrorCount == before && specs.Count > 0 && specs.All(s => s.NoFailover))
            reader.Error(sequence, key, "every member has nofailover: true; at least one must be able to become primary");
        return new MembersRead(reader.ErrorCount == before ? specs.ToImmutable() : null, names.Keys.ToList());
    }

    private static string? Name(ConfigMapping m, Dictionary<string, YamlNode> names)
    {
        string key = m.KeyOf("name");
        if (m.Required("name", "a member name") is not { } node || m.Reader.Scalar(node, key, "a member name") is not { } v) return null;
        if (!Names.IsValid(v.Text)) m.Reader.Fail(node, key, v, Names.WhyNot(v.Text));
        else if (names.TryGetValue(v.Text, out YamlNode? first))
            m.Reader.Fail(node, key, v, $"duplicate member name '{v.Text}' (first at line {first.Start.Line})");
        else { names.Add(v.Text, node); return v.Text; }
        return null;
    }

    /// <summary><c>site:</c> a name like other names; that the site is declared under top-level <c>sites</c> is checked there.</summary>
    private static string? Site(ConfigMapping m, YamlNode node)
    {
        string key = m.KeyOf("site");
        if (m.Reader.Scalar(node, key, "a site name") is not { } v) return null;
        if (Names.IsValid(v.Text)) return v.Text;
        m.Reader.Fail(node, key, v, Names.WhyNot(v.Text));
        return null;
    }

    private static HostPort? Address(ConfigMapping m, string? name, List<(HostPort Address, string Owner)> taken, AddressBook addresses)
    {
        string key = m.KeyOf("address");
        if (m.Required("address", "host:port") is not { } node || m.Reader.Address(node, key, out string shown) is not { } address) return null;
        // Two members on one address would be one process counted twice: a "failover" that changes nothing.
        if (taken.FirstOrDefault(t => AddressBook.Same(t.Address, address)) is { Owner: { } owner })
        {
            m.Reader.Error(node, key, $"{shown} is already the address of {owner}");
            return null;
        }
        taken.Add((address, name is null ? m.Path : $"member {name}"));
        addresses.AddMember(address, key, name ?? m.Path);
        return address;
    }
}
