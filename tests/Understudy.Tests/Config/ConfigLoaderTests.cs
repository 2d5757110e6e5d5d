using System.Collections.Immutable;
using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>Valid files and their specs. Bad files: ConfigLoaderTests.*.cs, each error pinned whole.</summary>
public partial class ConfigLoaderTests
{
    private const string FileName = "understudy.yaml";
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "understudy-conf");

    /// <summary>Seven lines; a test adds service keys from line 8 on with <see cref="Web"/>.</summary>
    private const string Base = """
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
              - { name: web-b, address: 127.0.0.1:8082 }
            primary: web-a
        """;

    /// <summary>Base, then <paramref name="serviceLines"/> as keys of service web: line 8 on, 4 columns in.</summary>
    private static string Web(string serviceLines) =>
        Base + "\n" + string.Join("\n", serviceLines.Split('\n').Select(l => "    " + l));

    private static ConfigResult Parse(string yaml, Dictionary<string, string>? environment = null) =>
        ConfigLoader.Parse(yaml, FileName, Folder, name => environment?.GetValueOrDefault(name));

    private static void AssertErrors(string yaml, params string[] expected)
    {
        ConfigResult result = Parse(yaml);
        Assert.False(result.Ok);
        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    private static UnderstudySpec AssertValid(string yaml, Dictionary<string, string>? environment = null)
    {
        ConfigResult result = Parse(yaml, environment);
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.True(result.Ok);
        return result.Spec!;
    }

    [Fact]
    public void Parse_SmallestConfig_FillsEveryDefault()
    {
        UnderstudySpec spec = AssertValid(Base);

        Assert.Equal((ControllerDefaults.Api, Path.Combine(Folder, "understudy.db")), (spec.Controller.Api, spec.Controller.Journal));
        Assert.Equal(Path.Combine(Folder, "artifacts", "failover-tests"), spec.Controller.DrillsDir);
        Assert.Empty(spec.Controller.AuthTokens);
        ServiceSpec web = Assert.Single(spec.Services);
        Assert.Equal(("web", ServiceKind.Http, "web-a"), (web.Name, web.Kind, web.Primary));
        Assert.Equal([new MemberSpec("web-a", new("127.0.0.1", 8081)), new MemberSpec("web-b", new("127.0.0.1", 8082))], web.Members.AsEnumerable());
        Assert.Equal(new CheckSpec(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 3, 2, "/health", 200, null), web.Check);
        Assert.Equal(new FailoverSpec(FailoverMode.Automatic, TimeSpan.FromSeconds(30)), web.Failover);
        Assert.Null(web.Proxy);
        Assert.Equal((0, 0), (web.Hooks.OnFailover.Length, web.Hooks.OnSwitchover.Length));
        Assert.Equal(TargetsSpec.None, web.Targets);
    }

    [Fact]
    public void Parse_EveryKeySet_RoundTripsIntoSpecInConfigOrder()
    {
        UnderstudySpec spec = AssertValid("""
            controller:
              api: 127.0.0.1:7401
              journal: data/understudy.db
              drills_dir: ../reports
            services:
              web:
                kind: http
                members:
                  - { name: web-a, address: 127.0.0.1:8081, priority: 10, pidfile: run/web-a.pid }
                  - { name: web-b, address: "[::1]:8082", priority: -1 }
                primary: web-b
                check: { interval: 200ms, timeout: 150ms, fall: 4, rise: 1, path: /ready, expect_status: 204, expect_body: ok }
                failover: { mode: manual, cooldown: 0 }
                traffic:
                  proxy: { listen: 127.0.0.1:9000, hold: 0 }
                hooks:
                  on_failover:
                    - { exec: [notify, "{{service}}", "{{old_primary}}->{{new_primary}}", "{{epoch}}"], timeout: 1m }
                  on_switchover: [ { exec: [echo, switched] } ]
                targets: { rto: 5s, rpo: 0 }
              cache:
                kind: tcp
                members:
                  - { name: cache-a, address: 127.0.0.1:6379 }
                  - { name: cache-b, address: 127.0.0.1:6380 }
                primary: cache-b
                check: { interval: 2s }
                targets: { rto: 10s, recovery: 3s, rpo: 1.5s }
            """);

        Assert.Equal((new HostPort("127.0.0.1", 7401), Path.Combine(Folder, "data", "understudy.db")), (spec.Controller.Api, spec.Controller.Journal));
        Assert.Equal(Path.Combine(Path.GetDirectoryName(Folder)!, "reports"), spec.Controller.DrillsDir);
        Assert.Equal(["web", "cache"], spec.Services.Select(s => s.Name));

        ServiceSpec web = spec.Services[0];
        Assert.Equal((ServiceKind.Http, "web-b"), (web.Kind, web.Primary));
        Assert.Equal([new MemberSpec("web-a", new("127.0.0.1", 8081), 10, Path.Combine(Folder, "run", "web-a.pid")),
            new MemberSpec("web-b", new("::1", 8082), -1)], web.Members.AsEnumerable());
        Assert.Equal(new CheckSpec(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(150), 4, 1, "/ready", 204, "ok"), web.Check);
        Assert.Equal(new FailoverSpec(FailoverMode.Manual, TimeSpan.Zero), web.Failover);
        Assert.Equal(new ProxySpec(new("127.0.0.1", 9000), TimeSpan.Zero), web.Proxy);
        HookSpec onFailover = Assert.Single(web.Hooks.OnFailover);
        Assert.Equal(["notify", "{{service}}", "{{old_primary}}->{{new_primary}}", "{{epoch}}"], onFailover.Exec.AsEnumerable());
        Assert.Equal(TimeSpan.FromMinutes(1), onFailover.Timeout);
        HookSpec onSwitchover = Assert.Single(web.Hooks.OnSwitchover);
        Assert.Equal(["echo", "switched"], onSwitchover.Exec.AsEnumerable());
        Assert.Equal(HookDefaults.Timeout, onSwitchover.Timeout);
        Assert.Equal(new TargetsSpec(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), new RpoTarget(0, null)), web.Targets);

        ServiceSpec cache = spec.Services[1];
        Assert.Equal((ServiceKind.Tcp, "cache-b"), (cache.Kind, cache.Primary));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), (cache.Check.Interval, cache.Check.Timeout));
        Assert.Equal(new TargetsSpec(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), new RpoTarget(null, TimeSpan.FromSeconds(1.5))), cache.Targets);
    }

    [Fact]
    public void Parse_AbsoluteJournalPath_IsKeptAsWritten()
    {
        string journal = Path.Combine(Path.GetTempPath(), "elsewhere", "journal.db");
        UnderstudySpec spec = AssertValid($"controller: {{ journal: {journal} }}\n" + Base);
        Assert.Equal(journal, spec.Controller.Journal);
    }

    [Fact]
    public void Parse_EmptySections_MeanDefaults()
    {
        UnderstudySpec spec = AssertValid("controller:\n" + Web("check:\nfailover: {}\ntraffic: {}\nhooks:\n  on_failover:\ntargets: {}"));
        ServiceSpec web = spec.Services[0];
        Assert.Equal(CheckDefaults.Fall, web.Check.Fall);
        Assert.Null(web.Proxy);
        Assert.Empty(web.Hooks.OnFailover);
        Assert.Equal(new TargetsSpec(null, null, null), web.Targets);
    }

    [Fact]
    public void Parse_EnvironmentReference_IsReplacedByItsValue()
    {
        var environment = new Dictionary<string, string> { ["WEB_PORT"] = "9443", ["TOKEN"] = "s3cret" };
        UnderstudySpec spec = AssertValid(Web("""
            traffic: { proxy: { listen: "127.0.0.1:${WEB_PORT}" } }
            hooks: { on_failover: [ { exec: [notify, "--token=${TOKEN}"] } ] }
            """), environment);

        Assert.Equal(new HostPort("127.0.0.1", 9443), spec.Services[0].Proxy!.Listen);
        Assert.Equal(["notify", "--token=s3cret"], spec.Services[0].Hooks.OnFailover[0].Exec.AsEnumerable());
    }

    [Fact]
    public void Parse_AnchorsAndAliases_AreFollowed()
    {
        UnderstudySpec spec = AssertValid(Web("check: &fast { interval: 100ms }") + "\n" + """
              api:
                kind: tcp
                members: [ { name: api-a, address: 127.0.0.1:8091 }, { name: api-b, address: 127.0.0.1:8092 } ]
                primary: api-a
                check: *fast
            """);
        Assert.All(spec.Services, s => Assert.Equal(TimeSpan.FromMilliseconds(100), s.Check.Interval));
    }
}
