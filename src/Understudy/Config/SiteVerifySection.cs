using System.Collections.Immutable;
using Understudy.Core.Drills;
using Understudy.Core.Sites;
using Understudy.Drills.Loading;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>sites.X.verify: { SERVICE: { probe: { http: {…} }, successes: 3, within: 30s } }</c>: the probe that verifies a
/// service of the site after it moved. The probe is a drill probe, written and read as in a drill file's <c>probes</c>
/// (one kind key with its settings, no name: the service names it).
/// </summary>
internal static class SiteVerifySection
{
    private static readonly KeySet Keys = new(["probe", "successes", "within"]);
    private static readonly KeySet ProbeKeys = new([.. ProbeKinds.Names.Where(k => k != "sql")], new Dictionary<string, string>
    {
        ["sql"] = "a sql probe only reads, which a standby answers too: sql_write { connection: … } INSERTs a row, which proves the new primary takes writes",
    });

    /// <summary>Empty when absent; null after an error, which is recorded.</summary>
    public static ImmutableDictionary<string, SiteVerifySpec>? Read(ConfigMapping site, ImmutableArray<string> services)
    {
        ConfigReader reader = site.Reader;
        if (!site.IsSet("verify")) return ImmutableDictionary<string, SiteVerifySpec>.Empty;
        string path = site.KeyOf("verify");
        YamlNode node = site.Optional("verify")!;
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, path, $"expected a mapping of the site's services to their probes, e.g. verify: {{ {services[0]}: {{ probe: {{ tcp: {{ address: 127.0.0.1:5432 }} }} }} }}, got {NodeText.Describe(node)}");
            return null;
        }
        int before = reader.ErrorCount;
        var verify = ImmutableDictionary.CreateBuilder<string, SiteVerifySpec>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } service }) continue;
            string key = $"{path}.{service}";
            if (!services.Contains(service))
            {
                reader.Error(keyNode, key, $"{service} is not one of the site's services ({string.Join(", ", services)})");
                continue;
            }
            if (reader.Mapping(value, key, Keys) is { } m && Service(m, service) is { } spec) verify[service] = spec;
        }
        return reader.ErrorCount == before ? verify.ToImmutable() : null;
    }

    private static SiteVerifySpec? Service(ConfigMapping m, string service)
    {
        ConfigReader reader = m.Reader;
        int before = reader.ErrorCount;
        ProbeSpec? probe = m.Required("probe", "the probe that verifies it, as in a drill file, e.g. probe: { http: { url: \"http://127.0.0.1:9000/health\" } }") is { } p
            && reader.Mapping(p, m.KeyOf("probe"), ProbeKeys) is { } kinds
            ? ProbesSection.OneKind(kinds, service)
            : null;
        int? successes = m.Optional("successes") is { } s ? reader.Int(s, m.KeyOf("successes"), min: 1) : SiteVerifyDefaults.Successes;
        TimeSpan? within = m.Optional("within") is { } w ? reader.Duration(w, m.KeyOf("within"), zeroAllowed: false) : SiteVerifyDefaults.Within;
        return reader.ErrorCount == before && probe is not null && successes is { } n && within is { } window ? new SiteVerifySpec(probe, n, window) : null;
    }
}
