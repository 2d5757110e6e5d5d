using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// Top-level <c>sites: { NAME: { services: [db, cache, api, web], approvals?, verify? } }</c>: what a site failover moves, in that
/// order, and the probes that verify each move (<see cref="SiteVerifySection"/>). Each listed service must exist, have a
/// member in the site (<c>members[].site</c>) and one outside it to go to.
/// A member's <c>site</c> may name a site not declared here: a site nobody fails over (only a place to go) needs no entry.
/// </summary>
internal static class SitesSection
{
    private const string Expected = "a mapping of site names to sites";
    private static readonly KeySet Keys = new(["services", "approvals", "verify"]);

    /// <param name="services">The services as read, or null when they had errors (then only the shape of sites is checked).</param>
    public static ImmutableArray<SiteSpec>? Read(ConfigMapping top, ImmutableArray<ServiceSpec>? services)
    {
        ConfigReader reader = top.Reader;
        if (!top.IsSet("sites")) return [];
        YamlNode node = top.Optional("sites")!;
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, "sites", $"expected {Expected}, got {NodeText.Describe(node)}");
            return null;
        }
        int before = reader.ErrorCount;
        var sites = ImmutableArray.CreateBuilder<SiteSpec>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                reader.Error(keyNode, "sites", $"expected a site name, got {NodeText.Describe(keyNode)}");
                continue;
            }
            string path = $"sites.{name}";
            if (!Names.IsValid(name)) reader.Error(keyNode, path, Names.WhyNot(name));
            if (reader.Mapping(value, path, Keys) is not { } m) continue;
            int? approvals = m.Optional("approvals") is { } a ? reader.Int(a, m.KeyOf("approvals"), 0, 10) : null;
            string key = m.KeyOf("services");
            if (m.Required("services", "the services to move off the site, in dependency order (e.g. [db, cache, api, web])") is not { } list
                || reader.NonEmptyList(list, key, "a sequence of service names", "service", (n, k) => Service(reader, n, k, name, services)) is not { } names)
                continue;
            if (names.Distinct().Count() != names.Length)
            {
                reader.Error(list, key, $"a service is listed twice ({string.Join(", ", names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key))})");
                continue;
            }
            if (m.Optional("approvals") is not null && approvals is null) continue;
            // Each service's request is approved by the site operation's approvers: fewer than a service needs could never carry it out.
            if (approvals is { } given && services is { } all
                && all.Where(s => names.Contains(s.Name) && s.Failover.Approvals > given).Select(s => $"{s.Name} ({s.Failover.Approvals})").ToList() is { Count: > 0 } more)
            {
                reader.Error(m.Optional("approvals")!, m.KeyOf("approvals"),
                    $"{given} is fewer than {string.Join(", ", more)} needs: the site operation's approvers approve each service's request, so give at least the largest failover.approvals of its services");
                continue;
            }
            if (SiteVerifySection.Read(m, names) is not { } verify) continue;
            sites.Add(new SiteSpec(name, names, approvals) { Verify = verify });
        }
        return reader.ErrorCount == before ? sites.ToImmutable() : null;
    }

    private static string? Service(ConfigReader reader, YamlNode node, string key, string site, ImmutableArray<ServiceSpec>? services)
    {
        if (reader.Scalar(node, key, "a service name") is not { } v) return null;
        if (services is not { } all) return v.Text; // the services had errors: they are reported there
        if (all.FirstOrDefault(s => s.Name == v.Text) is not { } spec)
        {
            reader.Fail(node, key, v, $"unknown service '{v.Text}' (services: {string.Join(", ", all.Select(s => s.Name))})");
            return null;
        }
        if (spec.Members.All(m => m.Site != site))
        {
            reader.Error(node, key, $"{v.Text} has no member in site {site}: set services.{v.Text}.members[].site on the members there");
            return null;
        }
        if (spec.Members.All(m => m.Site == site || m.NoFailover))
        {
            reader.Error(node, key, $"{v.Text} has no member outside site {site} that may become primary: a site failover would have nowhere to move it");
            return null;
        }
        return v.Text;
    }
}
