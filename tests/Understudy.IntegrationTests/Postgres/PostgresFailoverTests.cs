using Npgsql;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Postgres;

[Collection(RealProcesses.Name)]
public class PostgresFailoverTests
{
    /// <summary>A drill with a sql_write probe through the proxy every 10 ms; the fault SIGKILLs the primary's postmaster.</summary>
    private static string CrashDrill(PgControlled pg, int pid) => $$"""
        name: postgres primary crash
        service: orders-db
        controller: http://127.0.0.1:{{pg.ApiPort}}
        targets: { rto: 5s, rpo: 0 }
        probes:
          - { name: orders, sql_write: { connection: "{{pg.ProxyConnection}}", interval: 10ms, timeout: 5s } }
        steady_state: { duration: 1s, max_error_rate: 0 }
        faults:
          - kill_process: { pid: {{pid}}, signal: KILL }
        recovery: { timeout: 30s, stable_for: 1s }
        """;

    /// <summary>Our own ledger: the writes the drill recorded as acknowledged, against what the new primary holds.</summary>
    private static async Task<int> LostByOurCountAsync(DrillRun.Result run, PgServer newPrimary)
    {
        var acked = run.Samples.Where(s => s.Probe == "orders" && s.Sample.Ok).Select(s => s.Sample.Seq).ToHashSet();
        var present = (await newPrimary.QueryAsync<long>("SELECT id FROM understudy_probe WHERE run = (SELECT run FROM understudy_probe ORDER BY at DESC LIMIT 1)")).ToHashSet();
        return acked.Count(id => !present.Contains(id));
    }

    [Fact]
    public async Task Crash_SynchronousPrimaryKilledUnderLoad_StandbyPromotedNoAcknowledgedWriteLost()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1, synchronous: true);
        PgServer pg1 = pg.Server("pg1"), pg2 = pg.Server("pg2");

        var run = await DrillRun.RunAsync(pg.Cluster.Dir, CrashDrill(pg, pg1.Pid));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.False(await pg2.IsInRecoveryAsync());
        var status = await pg.ServiceAsync();
        Assert.Equal(("pg2", "pg2", 2L), (status.Primary, status.Routable, status.Epoch));
        Assert.Equal(0, report.LostAcknowledgedWrites);
        Assert.Equal(0, await LostByOurCountAsync(run, pg2));
        Assert.All(["recovered", "rto", "rpo"], name => Assert.True(report.Criteria.Single(c => c.Name == name).Passed, string.Join("\n", report.Issues)));
        Assert.NotNull(report.Phases.Single(p => p.Name == "promotion").At);
        // Writes go on through the same proxy address, on the new primary.
        await using var conn = new NpgsqlConnection(pg.ProxyConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT inet_server_port()", conn);
        Assert.Equal(pg2.Port, (int)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Crash_AsyncPrimaryKilledUnderLoad_DrillCountsLostWritesExactly()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1, synchronous: false);
        PgServer pg1 = pg.Server("pg1"), pg2 = pg.Server("pg2");

        var run = await DrillRun.RunAsync(pg.Cluster.Dir, CrashDrill(pg, pg1.Pid));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.Equal(await LostByOurCountAsync(run, pg2), report.LostAcknowledgedWrites);
        Assert.Equal("pg2", (await pg.ServiceAsync()).Primary);
    }

    [Fact]
    public async Task Crash_StandbyBeyondMaxLag_IsNeverPromoted()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 2);
        PgServer pg1 = pg.Server("pg1"), pg2 = pg.Server("pg2");
        int walreceiver = await pg2.WalReceiverAsync();
        pg2.Freeze(walreceiver);
        try
        {
            await pg1.ExecAsync("CREATE TABLE filler AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, 3000) g");
            await Eventually.TrueAsync(async () => (await pg.ServiceAsync()).Members.Single(m => m.Name == "pg2").LagBytes > 1024 * 1024, "the controller to see pg2 over 1 MiB behind");

            pg1.Kill();

            await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: not null, Failover: null, Epoch: 2 }, "the failover");
            Assert.Equal("pg3", (await pg.ServiceAsync()).Primary);
            Assert.True(await pg2.IsInRecoveryAsync());
        }
        finally
        {
            pg2.Thaw(walreceiver);
        }
    }

    [Fact]
    public async Task Restart_OldPrimaryComesBackWritable_KeptOutThenRejoinMakesItAStreamingStandby()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1);
        PgServer pg1 = pg.Server("pg1"), pg2 = pg.Server("pg2");
        pg1.Kill();
        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: "pg2", Failover: null }, "the failover to pg2");
        await pg2.ExecAsync("CREATE TABLE after_failover (id int)");

        // The old primary restarted: writable again on its old timeline, kept out of traffic.
        await pg1.StartAsync();
        await Eventually.TrueAsync(async () => (await pg.Controller.EventsAsync("orders-db", EventTypes.MemberWritable)).Count == 1, "member.writable for pg1");
        await using (var conn = new NpgsqlConnection(pg.ProxyConnection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT inet_server_port()", conn);
            Assert.Equal(pg2.Port, (int)(await cmd.ExecuteScalarAsync())!);
        }

        var rejoin = await CliRunner.RunAsync("rejoin", "-c", pg.Config, "orders-db", "pg1");

        Assert.True(rejoin.ExitCode == 0, $"exit {rejoin.ExitCode}\n{rejoin.Out}\n{rejoin.Err}");
        pg1.Adopt(); // the controller restarted it as a standby
        await PgReplication.WaitStreamingAsync(pg2, pg1);
        Assert.True(await pg1.IsInRecoveryAsync());
        await Eventually.TrueAsync(async () => (await pg1.QueryAsync<string>("SELECT tablename::text FROM pg_tables WHERE tablename = 'after_failover'")).Count == 1, "pg1 to replay pg2's writes");
        var status = await pg.ServiceAsync();
        Assert.False(status.Members.Single(m => m.Name == "pg1").NeedsRejoin);
        Assert.Contains(await pg.Controller.EventsAsync("orders-db", EventTypes.MemberRejoined), e => e.Actor == Actors.Operator);
    }

    [Fact]
    public async Task Crash_ThreeNodesSynchronous_OtherStandbyFollowsTheNewPrimaryAndHoldsTheSameRows()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 2, synchronous: true);

        var run = await DrillRun.RunAsync(pg.Cluster.Dir, CrashDrill(pg, pg.Server("pg1").Pid));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        var status = await pg.ServiceAsync();
        Assert.Equal(2L, status.Epoch);
        PgServer primary = pg.Server(status.Primary), other = pg.Cluster.Servers.Single(s => s.Name != "pg1" && s.Name != status.Primary);
        await PgReplication.WaitStreamingAsync(primary, other);
        await Eventually.TrueAsync(async () => await PgReplication.SyncStateAsync(primary, other) == "sync", $"{other.Name} to be {primary.Name}'s synchronous standby");
        StepRecord consistency = Assert.Single(report.Steps, st => st.Step.StartsWith("data consistency", StringComparison.Ordinal));
        Assert.True(consistency.Ok, consistency.Actual);
        Assert.Contains($"{other.Name} holds the same", consistency.Actual);
        Assert.Equal(0, report.LostAcknowledgedWrites);
    }
}
