using Understudy.Config;
using Understudy.Core.Guard;

namespace Understudy.Tests.Config;

/// <summary>guard.yaml: every error at once with its place, the coordination keys read as the controller's are.</summary>
public class GuardConfigLoaderTests
{
    private const string FileName = "guard.yaml";

    private static GuardConfigResult Parse(string yaml) => GuardConfigLoader.Parse(yaml, FileName, "/etc/understudy", _ => null);

    private static string[] Errors(string yaml) => [.. Parse(yaml).Errors.Select(e => e.ToString())];

    [Fact]
    public void Parse_PostgresGuard_DefaultsFilledIn()
    {
        GuardConfigResult r = Parse("""
            member: pg1
            service: orders-db
            coordination: { etcd: [http://127.0.0.1:2379], cluster: shop }
            postgres: { data_dir: /var/lib/postgresql/15/main }
            """);

        Assert.Empty(r.Errors);
        GuardSpec g = r.Spec!;
        Assert.Equal(("pg1", "orders-db", "shop", TimeSpan.FromSeconds(2)), (g.Member, g.Service, g.Coordination.Cluster, g.Lease));
        Assert.Equal(new GuardPostgresSpec("/var/lib/postgresql/15/main", "/usr/lib/postgresql/15/bin", "postgres"), g.Postgres);
        Assert.Empty(g.FenceSelf);
    }

    [Fact]
    public void Parse_CommandGuard_ReadsBothCommands()
    {
        GuardSpec g = Parse("""
            member: web-a
            service: web
            coordination: { etcd: [http://127.0.0.1:2379], cluster: shop, lease: 3s }
            lease: 4s
            fence_self: [systemctl, stop, web]
            lift_self: [systemctl, start, web]
            """).Spec!;

        Assert.Equal((TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(3)), (g.Lease, g.Coordination.Lease));
        Assert.Null(g.Postgres);
        Assert.Equal((string[])["systemctl", "stop", "web"], g.FenceSelf.ToArray());
        Assert.Equal((string[])["systemctl", "start", "web"], g.LiftSelf.ToArray());
    }

    [Fact]
    public void Parse_EveryMistake_OneLineEachWithItsPlace()
    {
        Assert.Equal([
            "guard.yaml:1:9 member: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'PG1')",
            "guard.yaml:3:24 coordination.etcd[0]: expected an http:// or https:// URL with a port, such as http://127.0.0.1:2379, got 'http://127.0.0.1'",
            "guard.yaml:3:65 coordination.lease: must be whole seconds, at least 2s, as etcd grants no shorter lease (got 1500ms)",
            "guard.yaml:4:8 lease: must be whole seconds, at least 2s, as etcd grants no shorter lease (got 1s)",
            "guard.yaml:6:1 fence_self: give either postgres (pg_ctl stops the server) or fence_self, not both",
            "guard.yaml:7:1 lift_self: goes with fence_self; a PostgreSQL fence is lifted with pg_ctl start",
            "guard.yaml:7:12 lift_self: expected at least one argument",
            "guard.yaml:8:1 bogus: unknown key (accepted: member, service, coordination, lease, postgres, fence_self, lift_self)",
        ], Errors("""
            member: PG1
            service: orders-db
            coordination: { etcd: [http://127.0.0.1], cluster: shop, lease: 1500ms }
            lease: 1s
            postgres: { data_dir: /var/lib/postgresql/15/main }
            fence_self: [systemctl, stop, x]
            lift_self: []
            bogus: 1
            """));
    }

    [Fact]
    public void Parse_NothingButAMember_SaysWhatIsRequired()
    {
        Assert.Equal([
            "guard.yaml:1:1 service: required: the service the member belongs to",
            "guard.yaml:1:1 coordination: required: the cluster's etcd, as in controller.coordination",
            "guard.yaml:1:1 postgres: required: postgres: { data_dir } for a PostgreSQL member, or fence_self: [command] for any other",
        ], Errors("member: pg1\n"));
    }

    [Fact]
    public void Parse_EmptySections_Refused()
    {
        Assert.Equal([
            "guard.yaml:3:1 coordination: expected a mapping with etcd and cluster, got nothing",
            "guard.yaml:4:1 postgres: expected a mapping with data_dir, got nothing",
        ], Errors("member: pg1\nservice: db\ncoordination:\npostgres:\n"));
    }

    [Fact]
    public void Load_ClusterExample_IsValid()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;

        GuardConfigResult r = GuardConfigLoader.Load(Path.Combine(root, "examples", "cluster", "guard-pg1.yaml"));

        Assert.Empty(r.Errors.Select(e => e.ToString()));
        Assert.Equal(("pg1", "orders-db", "shop"), (r.Spec!.Member, r.Spec.Service, r.Spec.Coordination.Cluster));
    }
}
