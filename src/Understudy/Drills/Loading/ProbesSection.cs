using System.Collections.Immutable;
using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary><c>probes:</c> at least one, each a unique name and exactly one kind with its settings.</summary>
internal static class ProbesSection
{
    private const string Expected = "a sequence of probes, e.g. [ { name: web, http: { url: \"http://127.0.0.1:9000/\" } } ]";

    private static readonly KeySet Keys = new(["name", .. ProbeKinds.Names], new Dictionary<string, string>
    {
    });

    /// <summary>Null after an error, which is recorded.</summary>
    public static ImmutableArray<ProbeSpec>? Read(ConfigMapping top)
    {
        ConfigReader reader = top.Reader;
        if (top.Required("probes", Expected) is not { } node || reader.Sequence(node, "probes", Expected) is not { } sequence) return null;
        if (sequence.Children.Count == 0)
        {
            reader.Error(sequence, "probes", "at least one probe is required: a drill measures what its probes see");
            return null;
        }

        int before = reader.ErrorCount;
        var names = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var specs = ImmutableArray.CreateBuilder<ProbeSpec>();
        for (int i = 0; i < sequence.Children.Count; i++)
            if (Probe(reader, sequence.Children[i], $"probes[{i}]", names) is { } probe) specs.Add(probe);
        return reader.ErrorCount == before ? specs.ToImmutable() : null;
    }

    private static ProbeSpec? Probe(ConfigReader reader, YamlNode node, string path, Dictionary<string, YamlNode> names)
    {
        if (reader.Mapping(node, path, Keys) is not { } p) return null;
        string? name = Name(p, names);
        ProbeSpec? probe = OneKind(p, name ?? "");
        return name is not null ? probe : null;
    }

    /// <summary>The one kind key of <paramref name="p"/> with its settings, named <paramref name="name"/>; null after an error, which is recorded.</summary>
    public static ProbeSpec? OneKind(ConfigMapping p, string name)
    {
        ConfigReader reader = p.Reader;
        List<string> kinds = [.. ProbeKinds.Names.Where(p.Has)];
        // Each kind after the first is an error at its key; the first is still read, so its errors show too.
        foreach (string extra in kinds.Skip(1))
            reader.Error(p.KeyNode(extra), p.KeyOf(extra), $"one kind per probe: this one is already {kinds[0]}");
        // A misspelled or planned kind (htp, sql_write) was reported at its key; saying "no kind" too would be noise.
        bool allKnown = p.Node.Children.Keys.All(k => k is YamlScalarNode { Value: { } key } && p.Has(key));
        if (kinds.Count == 0 && allKnown)
            reader.Error(p.Node, p.Path, $"expected one kind of probe ({NodeText.List(ProbeKinds.Names)}) with its settings, e.g. http: {{ url: \"http://127.0.0.1:9000/\" }}");
        return kinds.Count == 0 ? null : ProbeKinds.Read(reader, p, kinds[0], name);
    }

    private static string? Name(ConfigMapping p, Dictionary<string, YamlNode> names)
    {
        string key = p.KeyOf("name");
        if (p.Required("name", "a probe name, e.g. name: web") is not { } node) return null;
        if (DrillValues.Name(p.Reader, node, key, "a probe name") is not { } name) return null;
        // Reports and samples.csv tell probes apart by name.
        if (names.TryGetValue(name, out YamlNode? first))
        {
            p.Reader.Error(node, key, $"duplicate probe name '{name}' (first at line {first.Start.Line})");
            return null;
        }
        names.Add(name, node);
        return name;
    }
}
