using System.Collections.Concurrent;
using Npgsql;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Postgres;

/// <summary>
/// A planned switchover on three real PostgreSQL 15 servers under a write load through the proxy (a new connection for
/// each INSERT, one every 10 ms): nothing acknowledged is lost, no per-request write fails, and the old primary streams
/// from the new one afterwards.
/// </summary>
[Collection(RealProcesses.Name)]
public class PgSwitchoverTests
{
    [Fact]
    public Task Switchover_AsyncUnderWriteLoad_NothingLostNoWriteFailsOldPrimaryFollows() => SwitchoverUnderLoadAsync(synchronous: false);

    [Fact]
    public Task Switchover_SynchronousUnderWriteLoad_NothingLostNoWriteFailsOldPrimaryFollows() => SwitchoverUnderLoadAsync(synchronous: true);

    private static async Task SwitchoverUnderLoadAsync(bool synchronous)
    {
        await using var pg = await PgControlled.StartAsync(standbys: 2, synchronous: synchronous);
        PgServer pg1 = pg.Server("pg1"), pg2 = pg.Server("pg2"), pg3 = pg.Server("pg3");
        await pg1.ExecAsync("CREATE TABLE switch_writes (id bigint PRIMARY KEY)");
        // The proxy holds new connections for up to 10 s while the primary changes: the client waits as long.
        string connection = pg.ProxyConnection.Replace("Timeout=5", "Timeout=15", StringComparison.Ordinal) + ";Pooling=false;Command Timeout=15";

        var acknowledged = new ConcurrentBag<long>();
        var failed = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(async () =>
        {
            for (long id = 1; !stop.IsCancellationRequested && id < 100_000; id++)
            {
                try
                {
                    await using var conn = new NpgsqlConnection(connection);
                    await conn.OpenAsync();
                    await using var insert = new NpgsqlCommand($"INSERT INTO switch_writes VALUES ({id})", conn);
                    await insert.ExecuteNonQueryAsync();
                    acknowledged.Add(id);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
                {
                    failed.Add($"{id}: {e.Message}");
                }
                await Task.Delay(10);
            }
        });
        await Eventually.TrueAsync(() => acknowledged.Count >= 50, "writes under way", TimeSpan.FromSeconds(60));
        int before = acknowledged.Count;

        var cli = await CliRunner.RunAsync("switchover", "orders-db", "--to", "pg2", "--reason", "patching pg1", "--wait", "--timeout", "90s",
            "--api", $"http://127.0.0.1:{pg.ApiPort}");

        Assert.True(cli.ExitCode == 0, $"exit {cli.ExitCode}\n{cli.Out}\n{cli.Err}\n{pg.Controller.Output}");
        await Eventually.TrueAsync(() => Task.FromResult(acknowledged.Count > before + 50), "writes to go on after the switchover");
        await stop.CancelAsync();
        await writer;

        var status = await pg.ServiceAsync();
        Assert.Equal(("pg2", "pg2", 2L), (status.Primary, status.Routable, status.Epoch));
        Assert.True(failed.IsEmpty, $"{failed.Count} writes failed: {string.Join("; ", failed.Take(5))}");
        var present = (await pg2.QueryAsync<long>("SELECT id FROM switch_writes")).ToHashSet();
        long[] lost = [.. acknowledged.Where(id => !present.Contains(id))];
        Assert.True(lost.Length == 0, $"{lost.Length} acknowledged writes lost: {string.Join(", ", lost.Take(10))}");
        Assert.False(await pg2.IsInRecoveryAsync());

        // The old primary was restarted by the controller as a standby of pg2, and pg3 follows pg2 too.
        pg1.Adopt();
        Assert.True(await pg1.IsInRecoveryAsync());
        await PgReplication.WaitStreamingAsync(pg2, pg1);
        await PgReplication.WaitStreamingAsync(pg2, pg3);
        var following = await pg.Controller.EventsAsync("orders-db", EventTypes.MemberFollowing);
        Assert.Contains(following, e => e.Member == "pg1");
        Assert.False(status.Members.Single(m => m.Name == "pg1").NeedsRejoin);
        Assert.Single(await pg.Controller.EventsAsync("orders-db", EventTypes.MemberStopped));
        Assert.Empty(await pg.Controller.EventsAsync("orders-db", EventTypes.FailoverStarted));
    }
}
