using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;
using Understudy.IntegrationTests.Postgres;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13 item 1, on real PostgreSQL 15: stop the controller, the primary dies, start the controller. The service
/// used to stay degraded for good (lag unknown), refuse a manual failover, and give a standby promoted by hand no traffic.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class PostgresRestartTests
{
    [Fact]
    public async Task PrimaryDiesWhileTheControllerIsStopped_TheRestoredViewPromotesTheCaughtUpStandby()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1);
        PgServer pg2 = await StopTheControllerThenKillThePrimaryAsync(pg);
        await pg.RestartControllerAsync();

        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: "pg2", Failover: null, Epoch: 2 }, "the failover to pg2 after the restart");
        var started = Assert.Single(await pg.Controller.EventsAsync("orders-db", EventTypes.FailoverStarted));
        Assert.Contains("before this controller restarted", started.Details["reason"]?.ToString());
        Assert.False(await pg2.IsInRecoveryAsync());
    }

    [Fact]
    public async Task PrimaryDiesAndAStandbyIsPromotedByHandWhileStopped_AdoptedAsThePrimaryOfANewEpoch()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1);
        PgServer pg2 = await StopTheControllerThenKillThePrimaryAsync(pg);
        await pg2.ExecAsync("SELECT pg_promote()");
        await pg.RestartControllerAsync();

        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: "pg2", Failover: null, Epoch: 2 }, "pg2 adopted as primary");
        Assert.Contains("promoted outside Understudy", Assert.Single(await pg.Controller.EventsAsync("orders-db", EventTypes.FailoverStarted)).Details["reason"]?.ToString());
    }

    [Fact]
    public async Task NoViewOfThePrimary_DegradedThenAnAdminsForcedFailoverPromotesTheStandby()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1);
        PgServer pg2 = await StopTheControllerThenKillThePrimaryAsync(pg);
        File.Delete(pg.Cluster.Dir.File("journal.db.seen")); // as if the last run stopped too long ago
        await pg.RestartControllerAsync();
        // Degraded first perhaps because pg2 has not answered yet (a loaded host); the reason follows what is known.
        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Phase: "degraded", HoldReason: { } why } && why.Contains("its lag is unknown"),
            "the service degraded with lag unknown");

        var plain = await CliRunner.RunAsync("failover", "-c", pg.Config, "orders-db", "--reason", "pg1 is gone");
        Assert.True(plain.ExitCode != 0, $"a failover without --force was carried out:\n{plain.Out}");
        var forced = await CliRunner.RunAsync("failover", "-c", pg.Config, "orders-db", "--reason", "pg1's disk is gone", "--force");

        Assert.True(forced.ExitCode == 0, $"exit {forced.ExitCode}\n{forced.Out}\n{forced.Err}");
        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: "pg2", Failover: null }, "the forced failover to pg2");
        Assert.Contains("accepting that writes pg1 acknowledged and pg2 never received are lost",
            Assert.Single(await pg.Controller.EventsAsync("orders-db", EventTypes.FailoverForced)).Details["reason"]?.ToString());
    }

    /// <summary>pg2 streams from pg1, the controller stops cleanly, then pg1 dies: the standby, for the test to go on with.</summary>
    private static async Task<PgServer> StopTheControllerThenKillThePrimaryAsync(PgControlled pg)
    {
        PgServer pg1 = pg.Server("pg1"), pg2 = pg.Server("pg2");
        await PgReplication.WaitStreamingAsync(pg1, pg2);
        await pg.Controller.StopAsync();
        pg1.Kill();
        return pg2;
    }
}
