namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>Streaming replication as the primary reports it (pg_stat_replication, by application_name) and as the standby has replayed it.</summary>
public static class PgReplication
{
    /// <summary>The standby's row in the primary's pg_stat_replication: "streaming", "catchup" …; null when it is not connected.</summary>
    public static async Task<string?> StateAsync(PgServer primary, PgServer standby) =>
        (await primary.QueryAsync<string>("SELECT state FROM pg_stat_replication WHERE application_name = $1", standby.Name)).SingleOrDefault();

    /// <summary>"sync", "potential", "async" or "quorum"; null when it is not connected.</summary>
    public static async Task<string?> SyncStateAsync(PgServer primary, PgServer standby) =>
        (await primary.QueryAsync<string>("SELECT sync_state FROM pg_stat_replication WHERE application_name = $1", standby.Name)).SingleOrDefault();

    public static Task WaitStreamingAsync(PgServer primary, PgServer standby) =>
        WaitAsync(async () => await StateAsync(primary, standby) == "streaming", $"{standby.Name} streaming from {primary.Name}", primary, standby);

    /// <summary>Waits until the primary shows <paramref name="standby"/> as <paramref name="state"/> (<see cref="SyncStateAsync"/>).</summary>
    public static Task WaitSyncAsync(PgServer primary, PgServer standby, string state = "sync") =>
        WaitAsync(async () => await SyncStateAsync(primary, standby) == state, $"{standby.Name} shown as a {state} standby of {primary.Name}", primary, standby);

    /// <summary>
    /// Bytes of WAL the primary has flushed and the standby has not replayed. Read on both servers rather than
    /// from pg_stat_replication, whose replay position a standby reports only every wal_receiver_status_interval (10 s) when idle.
    /// </summary>
    public static async Task<long> LagBytesAsync(PgServer primary, PgServer standby)
    {
        string flushed = await primary.ScalarAsync<string>("SELECT pg_current_wal_flush_lsn()::text");
        return await standby.ScalarAsync<long?>("SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::bigint", flushed)
            ?? throw new InvalidOperationException($"{standby.Name} has replayed no WAL: it is not a standby");
    }

    /// <summary><see cref="Eventually"/>, failing early when a server is gone, and with the servers' logs when it times out.</summary>
    internal static async Task WaitAsync(Func<Task<bool>> condition, string what, params PgServer[] servers)
    {
        try
        {
            await Eventually.TrueAsync(() =>
            {
                if (servers.FirstOrDefault(s => !s.IsRunning) is { } dead) throw new InvalidOperationException($"{dead.Name} stopped while waiting for {what}");
                return condition();
            }, what);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{e.Message}\n" + string.Join('\n', servers.Select(s => $"--- {s.LogFile} ---\n{s.LogTail()}")), e);
        }
    }
}
