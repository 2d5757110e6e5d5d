using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

public class SitesConfigTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "understudy-conf");

    /// <summary>Services db and web, each with an east and a west member; <paramref name="sites"/> from line 16.</summary>
    internal static string Config(string sites, string dbB = "site: west", string extra = "") => $$"""
        services:
          db:
            kind: tcp
            members:
              - { name: db-a, address: 127.0.0.1:8081, site: east }
              - { name: db-b, address: 127.0.0.1:8082, {{dbB}} }
            primary: db-a
            {{extra}}
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8083, site: east }
              - { name: web-b, address: 127.0.0.1:8084, site: west }
            primary: web-a

        {{sites}}
        """;

    internal static ConfigResult Parse(string yaml) => ConfigLoader.Parse(yaml, "understudy.yaml", Folder, _ => null);

    private static void AssertErrors(string yaml, params string[] expected)
    {
        ConfigResult result = Parse(yaml);
        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_Sites_KeepsTheServicesInOrderAndEachMembersSite()
    {
        ConfigResult result = Parse(Config("sites:\n  east: { services: [db, web] }"));

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        UnderstudySpec spec = result.Spec!;
        SiteSpec east = Assert.Single(spec.SiteList);
        Assert.Equal(("east", (int?)null), (east.Name, east.Approvals));
        Assert.Equal(["db", "web"], east.Services.AsEnumerable());
        Assert.Equal(["east", "west"], spec.Service("db")!.Members.Select(m => m.Site));
        // west is a member's site only: a site nobody fails over needs no entry.
        Assert.Null(spec.Site("west"));
    }

    [Fact]
    public void Parse_NoSites_IsAnEmptyList() =>
        Assert.Empty(Parse(Config("")).Spec!.SiteList);

    [Fact]
    public void Parse_UnknownService_NamesTheServicesThereAre() => AssertErrors(
        Config("sites:\n  east: { services: [db, cache] }"),
        "understudy.yaml:17:26 sites.east.services[1]: unknown service 'cache' (services: db, web)");

    [Fact]
    public void Parse_ServiceWithNoMemberInTheSite_SaysToSetTheSite() => AssertErrors(
        Config("sites:\n  north: { services: [web] }"),
        "understudy.yaml:17:23 sites.north.services[0]: web has no member in site north: set services.web.members[].site on the members there");

    [Fact]
    public void Parse_ServiceWithNoMemberOutsideTheSite_SaysThereIsNowhereToGo() => AssertErrors(
        Config("sites:\n  east: { services: [db, web] }", dbB: "site: east"),
        "understudy.yaml:17:22 sites.east.services[0]: db has no member outside site east that may become primary: a site failover would have nowhere to move it");

    [Fact]
    public void Parse_BadSiteName_OnAMember() => AssertErrors(
        Config("", dbB: "site: West"),
        "understudy.yaml:6:54 services.db.members[1].site: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'West')");

    [Fact]
    public void Parse_SiteApprovalsFewerThanAServicesOwn_IsAnError() => Assert.Contains(
        "understudy.yaml:17:43 sites.east.approvals: 1 is fewer than db (2) needs: the site operation's approvers approve each service's request, so give at least the largest failover.approvals of its services",
        Parse(Config("sites:\n  east: { services: [db, web], approvals: 1 }", extra: "failover: { approvals: 2 }")).Errors.Select(e => e.ToString()));

    [Fact]
    public void Parse_UnknownSiteKey_ListsTheAcceptedOnes() => AssertErrors(
        Config("sites:\n  east: { services: [db], order: 1 }"),
        "understudy.yaml:17:27 sites.east.order: unknown key (accepted: services, approvals, verify)");
}
