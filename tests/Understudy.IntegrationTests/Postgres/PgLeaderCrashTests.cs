using Npgsql;
using Understudy.Core.Journal;
using Understudy.Failover;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Postgres;

/// <summary>
/// Three controller instances on etcd in front of a PostgreSQL primary and standby; the leader dies mid-failover at a
/// chosen step. The next leader reads the servers where a step's outcome is unknown (pg_promote is idempotent: a server
/// out of recovery counts as promoted), never promotes twice, and ends with one routable primary.
/// </summary>
[Collection(RealProcesses.Name)]
public class PgLeaderCrashTests
{
    [Theory]
    [InlineData("after-commit:failover.started")] // decided; not fenced
    [InlineData("after-commit:member.fenced")] // fenced and journaled; pg2 not promoted yet
    [InlineData("before-commit:member.promoted")] // pg2 promoted on the server, not journaled; traffic not switched
    public async Task Failover_LeaderKilledAtAStep_NextLeaderPromotesOnceAndRoutesThere(string failpoint)
    {
        await using PgCluster pg = await PgCluster.StartAsync(standbys: 1);
        PgServer pg1 = pg.Servers[0], pg2 = pg.Servers[1];
        var environment = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["ctl-a"] = new Dictionary<string, string> { [Failpoint.Variable] = failpoint } };
        await using var cluster = await WebCluster.StartAsync(environment: environment, services: proxy => Services(pg, proxy),
            healthy: async c => await c["ctl-a"].ServiceAsync("orders-db") is { Routable: "pg1" } s && s.Members.All(m => m.Health == "up"));
        Assert.Equal("ctl-a", await cluster.LeaderAsync());

        pg1.Kill();
        await Eventually.TrueAsync(() => cluster["ctl-a"].Output.Contains("failpoint", StringComparison.Ordinal), "the leader to stop at its failpoint");
        await cluster.KillAsync("ctl-a");
        string next = await cluster.LeaderAsync(WebCluster.LeaseTime + TimeSpan.FromSeconds(3));
        await Eventually.TrueAsync(async () => (await cluster[next].ServiceAsync("orders-db")) is { Routable: "pg2", Epoch: 2, Failover: null },
            "the new leader to finish the failover");

        // Promoted exactly once: pg2 is on timeline 2, and the journal says so once.
        Assert.False(await pg2.IsInRecoveryAsync());
        Assert.Equal("00000002", (await Scalar(pg2.ConnectionString, "SELECT pg_walfile_name(pg_current_wal_lsn())"))[..8]);
        var events = await cluster[next].EventsAsync("orders-db");
        Assert.Single(events, e => e.Type == EventTypes.FailoverStarted);
        Assert.Single(events, e => e.Type == EventTypes.MemberPromoted);
        Assert.Single(events, e => e.Type == EventTypes.FailoverCompleted);
        // Every survivor routes to pg2: a write through each proxy lands there.
        foreach (string survivor in cluster.Running)
        {
            string via = $"Host=127.0.0.1;Port={cluster.Ports[survivor].Proxy};Username=postgres;Database=postgres;Pooling=false;Timeout=5";
            Assert.Equal(pg2.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), await Scalar(via, "SELECT inet_server_port()::text"));
        }
        // The built-in rejoin would rewind pg1 on whichever instance leads, not on pg1's host: refused, naming the key to set.
        using var empty = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        var rejoin = await cluster[next].Http.PostAsync("/api/services/orders-db/members/pg1/rejoin", empty);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, rejoin.StatusCode);
        Assert.Contains("services.orders-db.postgres.rejoin", await rejoin.Content.ReadAsStringAsync());
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

    private static async Task<string> Scalar(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
