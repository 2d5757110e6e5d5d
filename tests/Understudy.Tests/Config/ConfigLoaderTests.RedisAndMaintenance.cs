using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>kind redis: the connection (ACL user, password, TLS), lag, synchronous mode and rejoin; and maintenance windows.</summary>
public partial class ConfigLoaderTests
{
    /// <summary>Six lines; a test adds service keys from line 7 on with <see cref="Redis"/>.</summary>
    private const string RedisBase = """
        services:
          cache:
            kind: redis
            members:
              - { name: r1, address: 127.0.0.1:6379 }
              - { name: r2, address: 127.0.0.1:6380, nofailover: false, priority: 2 }
        """;

    private static string Redis(string serviceLines) =>
        RedisBase + "\n" + string.Join("\n", serviceLines.Split('\n').Select(l => "    " + l));

    [Fact]
    public void Parse_RedisWithDefaults_NeedsNoRedisSectionAndHintsTheFirstMemberAsPrimary()
    {
        ServiceSpec cache = AssertValid(RedisBase).Services[0];
        Assert.Equal(ServiceKind.Redis, cache.Kind);
        Assert.Equal(RedisSpec.Default, cache.Redis);
        Assert.Equal("r1", cache.Primary);
        Assert.True(cache.IsReplicated);
        Assert.Equal(RejoinMode.Manual, cache.Failover.Rejoin);
        Assert.Equal(2, cache.Member("r2").Priority);
    }

    [Fact]
    public void Load_RedisExample_IsValid()
    {
        ConfigResult result = ConfigLoader.Load(Path.Combine(Understudy.Tests.Fuzz.FuzzSeeds.Root, "examples", "redis", "understudy.yaml"));
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.Equal(ServiceKind.Redis, Assert.Single(result.Spec!.Services).Kind);
    }

    [Fact]
    public void Parse_RedisSectionAndFailover_RoundTrip()
    {
        ServiceSpec cache = AssertValid(Redis("""
            redis: { user: ops, password: "${REDIS_PW}" }
            primary: r2
            failover: { max_lag: 64kB, rejoin: auto }
            """), new() { ["REDIS_PW"] = "s3cret" }).Services[0];
        Assert.Equal(new RedisSpec("s3cret", "ops"), cache.Redis);
        Assert.DoesNotContain("s3cret", cache.Redis!.ToString());
        Assert.Equal("r2", cache.Primary);
        Assert.Equal(64 * 1024, cache.Failover.MaxLagBytes);
        Assert.Equal(RejoinMode.Auto, cache.Failover.Rejoin);
    }

    [Fact]
    public void Parse_RedisSynchronousWithoutAProxy_SaysTheProxyKeepsIt() => AssertErrors(
        Redis("failover: { synchronous: true }"),
        "understudy.yaml:7:30 services.cache.failover.synchronous: kind redis keeps writes synchronous in the built-in proxy (a WAIT after each write): add traffic.proxy");

    [Fact]
    public void Parse_RedisSynchronousStrictWithAProxy_IsValid()
    {
        ServiceSpec cache = AssertValid(Redis("failover: { synchronous: true, synchronous_strict: true }\ntraffic: { proxy: { listen: 127.0.0.1:6390 } }")).Services[0];
        Assert.True(cache.Failover is { Synchronous: true, SynchronousStrict: true });
    }

    [Fact]
    public void Parse_RedisSectionOnPostgres_IsOnlyForRedis() => AssertErrors(
        Pg("redis: { tls: true }"),
        "understudy.yaml:8:5 services.db.redis: only for kind redis (this service is postgres)");

    [Fact]
    public void Parse_RejoinOnPostgres_IsOnlyForRedis() => AssertErrors(
        Pg("failover: { rejoin: auto }"),
        "understudy.yaml:8:17 services.db.failover.rejoin: only for kind redis (this service is postgres)");

    [Fact]
    public void Parse_BadRedisValues_NamedAtTheirKeys() => AssertErrors(
        Redis("""
            redis: { password: "", tls: maybe, tls_ca: /nonexistent/ca.pem }
            failover: { rejoin: sometimes }
            """),
        "understudy.yaml:7:24 services.cache.redis.password: the password is empty; leave password out when the servers ask for none",
        "understudy.yaml:7:33 services.cache.redis.tls: expected true or false, got 'maybe'",
        "understudy.yaml:7:48 services.cache.redis.tls_ca: cannot read /nonexistent/ca.pem: no such file",
        "understudy.yaml:8:25 services.cache.failover.rejoin: expected one of manual, auto, got 'sometimes'");

    [Fact]
    public void Parse_DataDirOnRedis_IsOnlyForPostgres() => AssertErrors(
        RedisBase.Replace("priority: 2 }", "priority: 2, data_dir: /tmp/x }"),
        "understudy.yaml:6:78 services.cache.members[1].data_dir: only for kind postgres (this service is redis)");

    [Fact]
    public void Parse_Maintenance_CronDurationAndZone()
    {
        ServiceSpec web = AssertValid(Web("maintenance: { cron: \"0 3 * * SUN\", duration: 2h, timezone: Europe/Berlin }")).Services[0];
        Assert.Equal(new MaintenanceSpec("0 3 * * SUN", TimeSpan.FromHours(2), "Europe/Berlin"), web.Maintenance);
        Assert.Equal("UTC", AssertValid(Web("maintenance: { cron: \"30 0 3 * * *\", duration: 30m }")).Services[0].Maintenance!.TimeZone);
    }

    [Fact]
    public void Parse_BadMaintenance_NamedAtTheirKeys() => AssertErrors(
        Web("maintenance: { cron: \"0 3 * *\", duration: 0s, timezone: Mars/Olympus }"),
        "understudy.yaml:8:26 services.web.maintenance.cron: '0 3 * *' is not a cron expression: expected 5 fields (minute hour day month weekday), or 6 with seconds first; got 4",
        "understudy.yaml:8:47 services.web.maintenance.duration: must be > 0 (got 0s)",
        "understudy.yaml:8:61 services.web.maintenance.timezone: 'Mars/Olympus' is not a time zone this machine knows (an IANA name such as Europe/Berlin, or UTC)");
}
