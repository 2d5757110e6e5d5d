using System.Collections.Immutable;
using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>
/// <c>load:</c> optional; each item a unique name and either a built-in generator (a read kind of probe, http, tcp,
/// redis or sql, with <c>rate</c> and <c>concurrency</c>) or <c>command</c>, an external tool. Load names share the probes'
/// namespace: the report's "what broke first" names either.
/// </summary>
internal static class LoadSection
{
    private const string Expected = "a sequence of loads, e.g. [ { name: browse, http: { url: \"http://127.0.0.1:9000/\" }, rate: 200, concurrency: 32 } ]";
    private static readonly string[] GeneratorKinds = ["http", "tcp", "redis", "sql"];

    private static readonly KeySet Keys = new(["name", "rate", "concurrency", "command", .. ProbeKinds.Names], new Dictionary<string, string>
    {
        ["interval"] = "a load is paced by rate (attempts per second), not interval",
        ["max_in_flight"] = "a load's limit is concurrency",
    });

    public static ImmutableArray<LoadSpec>? Read(ConfigMapping top, IEnumerable<string> probeNames)
    {
        ConfigReader reader = top.Reader;
        if (top.Optional("load") is not { } node) return [];
        if (reader.Sequence(node, "load", Expected) is not { } sequence) return null;
        int before = reader.ErrorCount;
        var names = new HashSet<string>(probeNames, StringComparer.Ordinal);
        var specs = ImmutableArray.CreateBuilder<LoadSpec>();
        for (int i = 0; i < sequence.Children.Count; i++)
            if (Load(reader, sequence.Children[i], $"load[{i}]", names) is { } load) specs.Add(load);
        return reader.ErrorCount == before ? specs.ToImmutable() : null;
    }

    private static LoadSpec? Load(ConfigReader reader, YamlNode node, string path, HashSet<string> names)
    {
        if (reader.Mapping(node, path, Keys) is not { } m) return null;
        string? name = m.Required("name", "a load name, e.g. name: browse") is { } n ? DrillValues.Name(reader, n, m.KeyOf("name"), "a load name") : null;
        if (name is not null && !names.Add(name))
        {
            reader.Error(m.Optional("name")!, m.KeyOf("name"), $"'{name}' is already the name of a probe or a load");
            name = null;
        }
        if (m.Optional("command") is { } c)
        {
            foreach (string extra in new[] { "rate", "concurrency" }.Concat(ProbeKinds.Names).Where(m.Has))
                reader.Error(m.KeyNode(extra), m.KeyOf(extra), "not with command: an external tool sets its own pace");
            var argv = CommandSteps.Arguments(reader, c, m.KeyOf("command"));
            return name is not null && argv is { } command ? new LoadSpec(name, 0, 0, null, command) : null;
        }
        foreach (string kind in ProbeKinds.Names.Where(k => m.Has(k) && !GeneratorKinds.Contains(k)))
            reader.Error(m.KeyNode(kind), m.KeyOf(kind), $"not a load: a load reads ({string.Join(", ", GeneratorKinds)}) or runs a command; writes are measured by probes");
        double? rate = m.Required("rate", "attempts per second, e.g. rate: 200") is { } r ? Rate(reader, r, m.KeyOf("rate")) : null;
        int? concurrency = m.Required("concurrency", "at most this many attempts in flight, e.g. concurrency: 32") is { } k ? reader.Int(k, m.KeyOf("concurrency"), 1, 10_000) : null;
        ProbeSpec? probe = ProbesSection.OneKind(m, name ?? "");
        foreach (string kind in GeneratorKinds.Where(m.Has))
            if (m.Optional(kind) is YamlMappingNode settings)
                foreach (var key in settings.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value is "interval" or "max_in_flight"))
                    reader.Error(key, $"{m.KeyOf(kind)}.{key.Value}", key.Value == "interval"
                        ? "a load is paced by its rate (attempts per second), not interval" : "a load's limit is its concurrency, not max_in_flight");
        if (name is null || rate is not { } perSecond || concurrency is not { } most || probe is null) return null;
        return new LoadSpec(name, perSecond, most, probe with { Interval = TimeSpan.FromSeconds(1 / perSecond), MaxInFlight = most }, []);
    }

    // A timer tick per attempt: above a thousand a second it would no longer keep pace; use an external tool for more.
    private static double? Rate(ConfigReader reader, YamlNode node, string key)
    {
        if (DrillValues.Number(reader, node, key, "attempts per second, e.g. 200", out bool percent, out string shown) is not { } n) return null;
        if (!percent && n is >= 1 and <= 1000) return n;
        reader.Error(node, key, $"must be from 1 to 1000 attempts per second (an external tool in command: for more), got {shown}");
        return null;
    }
}
