using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Sites;

namespace Understudy.Tests.Config;

public class SiteVerifyConfigTests
{
    /// <summary>Site east moves db and web; <paramref name="verify"/> is its verify mapping, from line 19.</summary>
    private static string Config(string verify) => SitesConfigTests.Config($"""
        sites:
          east:
            services: [db, web]
            verify:
        {verify}
        """);

    private static void AssertErrors(string verify, params string[] expected)
    {
        ConfigResult result = SitesConfigTests.Parse(Config(verify));
        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_Verify_ReadsEachServicesProbeAsADrillFileDoes()
    {
        ConfigResult result = SitesConfigTests.Parse(Config("""
                  db: { probe: { tcp: { address: 127.0.0.1:5432 } } }
                  web: { probe: { http: { url: "http://127.0.0.1:9000/health", interval: 50ms } }, successes: 5, within: 10s }
            """));

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        var verify = result.Spec!.Site("east")!.Verify;
        SiteVerifySpec db = verify["db"], web = verify["web"];
        Assert.Equal(("db", ProbeKind.Tcp, "127.0.0.1:5432"), (db.Probe.Name, db.Probe.Kind, db.Probe.Target));
        Assert.Equal((SiteVerifyDefaults.Successes, SiteVerifyDefaults.Within), (db.Successes, db.Within));
        Assert.Equal((ProbeKind.Http, "http://127.0.0.1:9000/health", TimeSpan.FromMilliseconds(50)), (web.Probe.Kind, web.Probe.Target, web.Probe.Interval));
        Assert.Equal((5, TimeSpan.FromSeconds(10)), (web.Successes, web.Within));
    }

    [Fact]
    public void Parse_NoVerify_IsEmpty() =>
        Assert.Empty(SitesConfigTests.Parse(SitesConfigTests.Config("sites:\n  east: { services: [db, web] }")).Spec!.Site("east")!.Verify);

    [Fact]
    public void Parse_VerifyOfAServiceNotInTheSite_NamesTheSitesServices() => AssertErrors(
        "      cache: { probe: { tcp: { address: 127.0.0.1:6379 } } }",
        "understudy.yaml:20:7 sites.east.verify.cache: cache is not one of the site's services (db, web)");

    [Fact]
    public void Parse_SqlProbe_PointsToSqlWrite() => AssertErrors(
        "      web: { probe: { sql: { connection: \"Host=127.0.0.1\" } } }",
        "understudy.yaml:20:23 sites.east.verify.web.probe.sql: a sql probe only reads, which a standby answers too: sql_write { connection: … } INSERTs a row, which proves the new primary takes writes");

    [Fact]
    public void Parse_ProbeWithoutItsSettings_SaysWhatIsRequired() => AssertErrors(
        "      web: { probe: { http: { timeout: 1s } } }",
        "understudy.yaml:20:29 sites.east.verify.web.probe.http.url: required: an absolute http or https URL such as http://127.0.0.1:9000/");

    [Fact]
    public void Parse_ProbeMissing_SaysWhatToWrite() => AssertErrors(
        "      web: { successes: 3 }",
        "understudy.yaml:20:12 sites.east.verify.web.probe: required: the probe that verifies it, as in a drill file, e.g. probe: { http: { url: \"http://127.0.0.1:9000/health\" } }");

    [Fact]
    public void Parse_TwoKinds_IsAnErrorAtTheSecond() => AssertErrors(
        "      web: { probe: { http: { url: \"http://127.0.0.1:9000/\" }, tcp: { address: 127.0.0.1:9000 } } }",
        "understudy.yaml:20:64 sites.east.verify.web.probe.tcp: one kind per probe: this one is already http");

    [Fact]
    public void Parse_WithinZero_MustBePositive() => AssertErrors(
        "      web: { probe: { tcp: { address: 127.0.0.1:9000 } }, within: 0s }",
        "understudy.yaml:20:67 sites.east.verify.web.within: must be > 0 (got 0s)");

    [Fact]
    public void Parse_SuccessesZero_MustBeAtLeastOne() => AssertErrors(
        "      web: { probe: { tcp: { address: 127.0.0.1:9000 } }, successes: 0 }",
        "understudy.yaml:20:70 sites.east.verify.web.successes: must be ≥ 1 (got 0)");
}
