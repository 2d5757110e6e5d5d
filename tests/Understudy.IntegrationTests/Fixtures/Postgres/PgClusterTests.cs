namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>The fixture itself: later PostgreSQL tests trust it to replicate, to fail as described, and to leave nothing behind.</summary>
[Collection(RealProcesses.Name)]
public class PgClusterTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task TwoStandbys_RowsWrittenOnThePrimary_AppearOnBoth()
    {
        await using var cluster = await PgCluster.StartAsync(standbys: 2);

        Assert.Equal(["pg1", "pg2", "pg3"], cluster.Servers.Select(s => s.Name));
        Assert.False(await cluster.Primary.IsInRecoveryAsync());
        await cluster.Primary.ExecAsync("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100)");
        foreach (var standby in cluster.Standbys)
        {
            Assert.True(await standby.IsInRecoveryAsync());
            Assert.Equal("async", await PgReplication.SyncStateAsync(cluster.Primary, standby));
            await Eventually.TrueAsync(async () => await standby.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 't'") == 1
                && await standby.ScalarAsync<long>("SELECT count(*) FROM t") == 100, $"the rows on {standby.Name}");
        }
    }

    [Fact]
    public async Task Synchronous_FirstStandbyIsSync_TheOtherPotential_AndCommitsGoThrough()
    {
        await using var cluster = await PgCluster.StartAsync(standbys: 2, synchronous: true);

        Assert.Equal("sync", await PgReplication.SyncStateAsync(cluster.Primary, cluster.Standbys[0]));
        Assert.Equal("potential", await PgReplication.SyncStateAsync(cluster.Primary, cluster.Standbys[1]));
        await cluster.Primary.ExecAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
        // A synchronous commit returns once the standby has flushed it, so its replay follows shortly.
        await Eventually.TrueAsync(async () => await PgReplication.LagBytesAsync(cluster.Primary, cluster.Standbys[0]) == 0, "pg2 to replay the commit");
    }

    [Fact]
    public async Task Kill_PrimaryRefusesConnections_StandbyStaysUp_AndAStartRecoversIt()
    {
        await using var cluster = await PgCluster.StartAsync(standbys: 1);
        var (primary, standby) = (cluster.Primary, cluster.Standbys[0]);
        await primary.ExecAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (1)");

        primary.Kill();

        await Eventually.TrueAsync(primary.RefusesConnectionsAsync, "the killed primary to refuse connections");
        Assert.False(primary.IsRunning);
        Assert.True(standby.IsRunning);
        Assert.True(await standby.IsInRecoveryAsync());

        // Later tests bring a killed primary back: crash recovery keeps the committed row and the standby reconnects.
        await primary.StartAsync();
        Assert.Equal(1, await primary.ScalarAsync<long>("SELECT count(*) FROM t"));
        await PgReplication.WaitStreamingAsync(primary, standby);
    }

    [Fact]
    public async Task CrashHost_LeavesNoProcessAlive_AndStopRemovesTheSharedMemoryItLeft()
    {
        await using var cluster = await PgCluster.StartAsync(standbys: 1);
        var primary = cluster.Primary;
        var before = primary.Processes().Concat(primary.Children()).ToHashSet();
        Assert.True(before.Count > 3, $"expected a postmaster and its children, saw {before.Count} processes");
        int shmid = PgIpc.SysVId(primary.DataDir) ?? throw new InvalidOperationException("no SysV segment in postmaster.pid");
        var dsm = PgIpc.DsmFiles(primary.DataDir, primary.Pid);
        Assert.NotEmpty(dsm);

        var killed = primary.CrashHost();

        Assert.Contains(primary.Pid, killed);
        // Dead means gone or a zombie: this machine's PID 1 reaps orphans only after a while.
        await Eventually.TrueAsync(() => before.Concat(killed).All(p => !ProcFs.IsAlive(p)), "every process of pg1 to be dead");
        Assert.Empty(primary.Processes());
        Assert.True(await primary.RefusesConnectionsAsync());
        Assert.True(cluster.Standbys[0].IsRunning);
        // What a crash leaves behind, as PostgreSQL would find it at its next start …
        Assert.True(PgIpc.SysVExists(shmid));
        Assert.All(dsm, f => Assert.True(File.Exists(f), f));

        await primary.StopAsync();

        // … and gone once the fixture stops the dead server.
        Assert.False(PgIpc.SysVExists(shmid));
        Assert.All(dsm, f => Assert.False(File.Exists(f), f));
    }

    [Fact]
    public async Task FrozenWalReceiver_LagGrowsPastOneMiB_ThenCatchesUpOnThaw()
    {
        await using var cluster = await PgCluster.StartAsync(standbys: 1);
        var (primary, standby) = (cluster.Primary, cluster.Standbys[0]);
        int receiver = await standby.WalReceiverAsync();

        standby.Freeze(receiver);
        await primary.ExecAsync("CREATE TABLE t (x text); INSERT INTO t SELECT repeat('x', 1024) FROM generate_series(1, 2048)");

        Assert.Equal('T', ProcFs.State(receiver));
        long lag = await PgReplication.LagBytesAsync(primary, standby);
        Assert.True(lag > MiB, $"lag {lag} bytes while the walreceiver is frozen");
        Assert.True(await standby.IsInRecoveryAsync(), "the standby itself still answers");

        standby.Thaw(receiver);
        await Eventually.TrueAsync(async () => await PgReplication.LagBytesAsync(primary, standby) == 0, "pg2 to catch up");
        Assert.Equal(2048, await standby.ScalarAsync<long>("SELECT count(*) FROM t"));
    }

    [Fact]
    public async Task Dispose_EvenWithAFrozenWalReceiverAndAKilledStandby_StopsEverythingItStarted_AndFreesItsSharedMemory()
    {
        var cluster = await PgCluster.StartAsync(standbys: 2);
        string folder = cluster.Dir.Path;
        var started = cluster.Servers.SelectMany(s => s.Processes().Concat(s.Children())).ToHashSet();
        var standby = cluster.Standbys[0];
        standby.Freeze(await standby.WalReceiverAsync());
        var killed = cluster.Standbys[1];
        int shmid = PgIpc.SysVId(killed.DataDir) ?? throw new InvalidOperationException("no SysV segment in postmaster.pid");
        var dsm = PgIpc.DsmFiles(killed.DataDir, killed.Pid);
        killed.Kill();

        await cluster.DisposeAsync();

        Assert.DoesNotContain(started, p => ProcFs.IsAlive(p) && ProcFs.Exe(p) == PgTools.Path("postgres"));
        Assert.Empty(ProcFs.Under(folder));
        Assert.False(Directory.Exists(folder));
        Assert.False(PgIpc.SysVExists(shmid), "the killed server's SysV segment outlived the cluster");
        Assert.All(dsm, f => Assert.False(File.Exists(f), f));
    }
}
