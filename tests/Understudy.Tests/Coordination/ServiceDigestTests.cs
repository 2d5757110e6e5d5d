using System.Collections.Immutable;
using Understudy.Coordination;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Coordination;

public class ServiceDigestTests
{
    private static readonly ControllerSpec Controller = new(new HostPort("127.0.0.1", 7400), "understudy.db");

    private static ServiceDigest Digest(params ServiceSpec[] services) => ServiceDigest.Of(new UnderstudySpec(Controller, [.. services]));

    private static string? Difference(ServiceDigest mine, ServiceDigest leader) => ServiceDigest.FirstDifference(mine.Entries, leader.Entries);

    [Fact]
    public void Of_OnlyControllerAndListenDiffer_SameDigest()
    {
        ServiceSpec web = Services.Http();
        var here = new UnderstudySpec(Controller with { Name = "ctl-a" }, [web, Services.Postgres()]);
        var there = new UnderstudySpec(new ControllerSpec(new HostPort("10.0.0.2", 7500), "/var/lib/u.db", Name: "ctl-b",
                Coordination: new CoordinationSpec([new Uri("http://127.0.0.1:2379")], "shop", TimeSpan.FromSeconds(2), null, null, null)),
            [Services.Postgres() with { Postgres = new PostgresSpec("postgres", "other-password", "postgres") },
             web with { Proxy = web.Proxy! with { Listen = new HostPort("0.0.0.0", 19000) } }]);

        ServiceDigest a = ServiceDigest.Of(here), b = ServiceDigest.Of(there);

        Assert.Equal(a.Sha256, b.Sha256);
        Assert.Null(Difference(a, b));
        Assert.Matches("^[0-9a-f]{64}$", a.Sha256);
        Assert.DoesNotContain(a.Entries.Keys, k => k.Contains("listen") || k.Contains("password") || k.StartsWith("controller"));
    }

    [Fact]
    public void Of_ListsEachServiceKeyAsCanonicalText()
    {
        var e = Digest(Services.Http(hooks: true, noFailover: "web-b")).Entries;

        Assert.Equal("http", e["services.web.kind"]);
        Assert.Equal("web-a, web-b", e["services.web.members"]);
        Assert.Equal(("127.0.0.1:8082", "0", "true"), (e["services.web.members.web-b.address"], e["services.web.members.web-b.priority"], e["services.web.members.web-b.nofailover"]));
        Assert.Equal(("200ms", "100ms", "3", "(none)"), (e["services.web.check.interval"], e["services.web.check.timeout"], e["services.web.check.fall"], e["services.web.check.expect_body"]));
        Assert.Equal(("automatic", "30s", "15m"), (e["services.web.failover.mode"], e["services.web.failover.cooldown"], e["services.web.failover.approval_timeout"]));
        Assert.Equal(("""["echo","{{old_primary}}"]""", "5s"), (e["services.web.hooks.on_failover[0].exec"], e["services.web.hooks.on_failover[0].timeout"]));
        Assert.Equal(("on", "5s", "2s"), (e["services.web.traffic.proxy"], e["services.web.traffic.proxy.hold"], e["services.web.traffic.proxy.drain_timeout"]));
        Assert.Equal("(none)", e["services.web.targets.rto"]);
        Assert.Equal(e.Keys.Order(StringComparer.Ordinal), e.Keys);
    }

    [Fact]
    public void FirstDifference_CheckInterval_ShowsBothValues()
    {
        ServiceSpec web = Services.Http();
        ServiceDigest here = Digest(web), leader = Digest(web with { Check = web.Check with { Interval = TimeSpan.FromSeconds(1) } });

        Assert.NotEqual(here.Sha256, leader.Sha256);
        Assert.Equal("services.web.check.interval: 200ms here, 1s on the leader", Difference(here, leader));
    }

    [Fact]
    public void FirstDifference_ServiceOnOneSide_NamesTheWholeService()
    {
        ServiceDigest here = Digest(Services.Http()), leader = Digest(Services.Http(), Services.Postgres());

        Assert.Equal("services.orders-db: only on the leader", Difference(here, leader));
        Assert.Equal("services.orders-db: only here", Difference(leader, here));
    }

    [Fact]
    public void FirstDifference_ProxyOrHookOnOneSide_NamesIt()
    {
        ServiceSpec web = Services.Http(hooks: true);

        Assert.Equal("services.web.traffic.proxy: only here", Difference(Digest(web), Digest(web with { Proxy = null })));
        Assert.Equal("services.web.hooks.on_failover[0]: only here", Difference(Digest(web), Digest(Services.Http())));
    }

    [Fact]
    public void FirstDifference_VetoHookOrTrafficSwitch_Counts()
    {
        ServiceSpec web = Services.Http();
        var haproxy = new HaproxySpec("/run/haproxy.sock", null, "web", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty, TimeSpan.FromSeconds(2));
        ServiceSpec routed = web with { Switches = new TrafficSwitchesSpec([haproxy], null, []) };

        Assert.Equal("services.web.hooks.veto[0]: only here",
            Difference(Digest(web with { Hooks = web.Hooks with { Veto = [new HookSpec(["freeze"], TimeSpan.FromSeconds(5))] } }), Digest(web)));
        Assert.Equal("services.web.traffic.haproxy[0].backend: web here, api on the leader",
            Difference(Digest(routed), Digest(web with { Switches = new TrafficSwitchesSpec([haproxy with { Backend = "api" }], null, []) })));
        // The socket path is this host's own, as the proxy's listen address is.
        Assert.Null(Difference(Digest(routed), Digest(web with { Switches = new TrafficSwitchesSpec([haproxy with { Socket = "/var/run/other.sock" }], null, []) })));
    }

    [Fact]
    public void FirstDifference_MemberOrderOrPriority_Counts()
    {
        ServiceSpec web = Services.Http();
        ServiceSpec reordered = web with { Members = [web.Members[1], web.Members[0]] };

        Assert.Equal("services.web.members: web-a, web-b here, web-b, web-a on the leader", Difference(Digest(web), Digest(reordered)));
        Assert.Equal("services.web.members.web-b.priority: 0 here, 5 on the leader", Difference(Digest(web), Digest(Services.Http(priorities: ("web-b", 5)))));
    }

    [Fact]
    public void FirstDifference_PostgresUserCountsPasswordDoesNot()
    {
        ServiceSpec pg = Services.Postgres();
        ServiceDigest here = Digest(pg);

        Assert.Null(Difference(here, Digest(pg with { Postgres = pg.Postgres! with { Password = "secret" } })));
        Assert.Equal("services.orders-db.postgres.user: postgres here, understudy on the leader",
            Difference(here, Digest(pg with { Postgres = pg.Postgres! with { User = "understudy" } })));
    }

    [Fact]
    public void Of_ServicesInAnotherOrder_SameDigest() =>
        Assert.Equal(Digest(Services.Http(), Services.Postgres()).Sha256, Digest(Services.Postgres(), Services.Http()).Sha256);

    [Fact]
    public void Of_RpoAsWritesOrWindow_AreDifferentTexts()
    {
        ServiceSpec web = Services.Http();
        var writes = Digest(web with { Targets = new TargetsSpec(TimeSpan.FromSeconds(5), null, new RpoTarget(0, null)) }).Entries;
        var window = Digest(web with { Targets = new TargetsSpec(TimeSpan.FromSeconds(5), null, new RpoTarget(null, TimeSpan.FromMilliseconds(1500))) }).Entries;

        Assert.Equal(("5s", "0", "1500ms"), (writes["services.web.targets.rto"], writes["services.web.targets.rpo"], window["services.web.targets.rpo"]));
        Assert.Equal("services.web.targets.rpo: 0 here, 1500ms on the leader", ServiceDigest.FirstDifference(writes, window));
    }
}
