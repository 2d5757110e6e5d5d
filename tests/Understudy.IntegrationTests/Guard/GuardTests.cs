using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Understudy.Coordination;
using Understudy.IntegrationTests.Coordination;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Etcd;
using Understudy.IntegrationTests.Fixtures.Postgres;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Guard;

/// <summary>
/// <c>understudy guard</c> beside a real PostgreSQL 15 primary, reaching a real etcd through a relay the test cuts,
/// with one real instance whose log names the primary. The guard stops the server when cut off from etcd and from
/// the instances, and starts it again only if the log still names it primary of the current epoch.
/// </summary>
[Collection(RealProcesses.Name)]
public class GuardTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Guard_CutOffFromEtcdAndInstances_StopsPostgresWithinTheLeaseAndStartsItWhenTheLogStillNamesIt()
    {
        await using PgCluster pg = await PgCluster.StartAsync(standbys: 1);
        PgServer pg1 = pg.Primary;
        await using WebCluster cluster = await StartInstanceAsync(pg);
        await using var relay = new TcpRelay(cluster.Etcd.ClientPort);
        await using var guard = GuardProcess.Start(await GuardFileAsync(cluster, relay, pg1));
        await using var etcd = new EtcdStore(EtcdTest.Spec(cluster.Etcd.Url, "shop"), TimeProvider.System, NullLogger<EtcdStore>.Instance);
        await Eventually.TrueAsync(async () => await GuardKeyAsync(etcd) is { Fenced: false }, "the guard's key");

        // The only instance goes away (its API with it), then etcd is cut off: nothing vouches for this host any more.
        await cluster["ctl-a"].StopAsync();
        var cut = Stopwatch.StartNew();
        relay.Cut();
        await Eventually.TrueAsync(async () => !pg1.IsRunning && await pg1.RefusesConnectionsAsync(), "pg1 to be stopped", Lease + TimeSpan.FromSeconds(1));
        output.WriteLine($"pg1 refused connections {cut.Elapsed.TotalSeconds:0.00} s after the cut");
        Assert.True(cut.Elapsed <= Lease + TimeSpan.FromSeconds(1), $"pg1 stopped {cut.Elapsed.TotalSeconds:0.00} s after the cut");

        // etcd again: the log still names pg1 primary of epoch 1, so the guard starts it, and it takes writes.
        relay.Restore();
        await guard.SaidAsync("the log names pg1 primary (epoch 1, primary pg1): lifting its fence");
        await Eventually.TrueAsync(async () => await WritesAsync(pg1), "pg1 to accept writes");
        pg1.Adopt();
        await Eventually.TrueAsync(async () => await GuardKeyAsync(etcd) is { Fenced: false }, "the key to say pg1 is not fenced");
        // Both ends were noted for the instances' journals once etcd answered again (the second right after the lift).
        output.WriteLine(guard.Output);
        var severities = await Eventually.GetAsync(async () =>
            (await etcd.RangeAsync(etcd.Keys.InstanceNotes("guard-orders-db-pg1"), default)).Entries
                .Select(e => JsonDocument.Parse(e.Value).RootElement.GetProperty("severity").GetString()).ToList() is { Count: >= 2 } both ? both : null,
            "both notes");
        Assert.Equal(["critical", "info"], severities);
    }

    [Fact]
    public async Task Guard_FailedOverWhileCutOff_StaysStoppedAndSaysSo()
    {
        await using PgCluster pg = await PgCluster.StartAsync(standbys: 1);
        PgServer pg1 = pg.Primary;
        await using WebCluster cluster = await StartInstanceAsync(pg);
        await using var relay = new TcpRelay(cluster.Etcd.ClientPort);
        // The guard's host is cut off from the start: it never hears of the instance, and fences pg1 a lease after it starts.
        relay.Cut();
        await using var guard = GuardProcess.Start(await GuardFileAsync(cluster, relay, pg1));
        await Eventually.TrueAsync(async () => !pg1.IsRunning && await pg1.RefusesConnectionsAsync(), "pg1 to be stopped");

        // The instance sees pg1 gone and fails over to pg2; then the guard reaches etcd again.
        await Eventually.TrueAsync(async () => await cluster["ctl-a"].ServiceAsync("orders-db") is { Epoch: 2, Routable: "pg2" }, "the failover to pg2");
        relay.Restore();
        await guard.SaidAsync("pg1 stays fenced: the log names pg2 primary (epoch 2, primary pg2), a failover happened; rejoin pg1 as a standby");

        await using var etcd = new EtcdStore(EtcdTest.Spec(cluster.Etcd.Url, "shop"), TimeProvider.System, NullLogger<EtcdStore>.Instance);
        Assert.True(await GuardKeyAsync(etcd) is { Fenced: true }, "the key says pg1 is fenced");
        Assert.False(pg1.IsRunning);
        Assert.True(await pg1.RefusesConnectionsAsync());
        Assert.DoesNotContain("lifting", guard.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Guard_BadFile_OneLinePerErrorAndExitTwo()
    {
        using var dir = new TempDir();
        string bad = dir.File("guard.yaml");
        await File.WriteAllTextAsync(bad, "member: pg1\nservice: orders-db\ncoordination: { etcd: [http://127.0.0.1:2379], cluster: shop }\nlease: 1500ms\n");

        CliRunner.Result r = await CliRunner.RunAsync("guard", "-c", bad);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal([
            $"{bad}:1:1 postgres: required: postgres: {{ data_dir }} for a PostgreSQL member, or fence_self: [command] for any other",
            $"{bad}:4:8 lease: must be whole seconds, at least 2s, as etcd grants no shorter lease (got 1500ms)",
            $"{bad}: 2 errors",
        ], r.Err.TrimEnd().Split('\n'));
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        Assert.Equal(0, (await CliRunner.RunAsync("guard", "-c", Path.Combine(root, "examples", "cluster", "guard-pg1.yaml"), "--check")).ExitCode);
    }

    private static Task<WebCluster> StartInstanceAsync(PgCluster pg) =>
        WebCluster.StartAsync(instances: 1, services: proxy => Services(pg, proxy),
            healthy: async c => await c["ctl-a"].ServiceAsync("orders-db") is { Routable: "pg1" } s && s.Members.All(m => m.Health == "up"));

    private static async Task<string> GuardFileAsync(WebCluster cluster, TcpRelay relay, PgServer member)
    {
        string file = cluster.Dir.File($"guard-{member.Name}.yaml");
        await File.WriteAllTextAsync(file, $$"""
            member: {{member.Name}}
            service: orders-db
            coordination: { etcd: [{{relay.Url}}], cluster: shop, lease: 2s }
            lease: {{Lease.TotalSeconds}}s
            postgres: { data_dir: {{member.DataDir}}, bin_dir: {{PgTools.Bin}} }
            """);
        return file;
    }

    private static async Task<Understudy.Guard.GuardRecord?> GuardKeyAsync(EtcdStore etcd)
    {
        try
        {
            return await etcd.GetAsync(etcd.Keys.Guard("orders-db", "pg1"), default) is { } e
                ? JsonSerializer.Deserialize<Understudy.Guard.GuardRecord>(e.Value, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })
                : null;
        }
        catch (CoordinationUnavailable) { return null; }
    }

    private static async Task<bool> WritesAsync(PgServer server)
    {
        try
        {
            await server.ExecAsync("CREATE TABLE IF NOT EXISTS guard_probe (n int)");
            return await server.ExecAsync("INSERT INTO guard_probe VALUES (1)") == 1;
        }
        catch (Npgsql.NpgsqlException) { return false; }
    }

    private static string Services(PgCluster pg, int proxy) => $$"""
        services:
          orders-db:
            kind: postgres
            postgres: { user: postgres, database: postgres }
            members:
        {{string.Join("\n", pg.Servers.Select(s => $"      - {{ name: {s.Name}, address: 127.0.0.1:{s.Port} }}"))}}
            check: { interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
            failover: { mode: automatic, cooldown: 0s }
            traffic:
              proxy: { listen: 127.0.0.1:{{proxy}}, hold: 10s }
        """;
}
