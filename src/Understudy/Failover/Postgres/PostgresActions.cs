using Npgsql;
using Understudy.Checks;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Failover.Postgres;

/// <summary>
/// What the executor does to PostgreSQL servers. Each action is idempotent: promoting a server already out
/// of recovery is a success, not a second promotion; re-pointing and setting the synchronous standbys
/// write the same value again.
/// </summary>
public sealed class PostgresActions(ServiceSpec service, TimeProvider time)
{
    private readonly PostgresSpec _pg = service.Postgres ?? throw new ArgumentException("not a PostgreSQL service", nameof(service));

    public async Task<(bool, string)> PromoteAsync(PromoteMember step, CancellationToken ct)
    {
        long started = time.GetTimestamp();
        await using var conn = await OpenAsync(step.Member, ct);
        if (!await InRecoveryAsync(conn, ct)) return (true, $"{step.Member} was already out of recovery");
        int wait = (int)PostgresDefaults.PromoteTimeout.TotalSeconds;
        await using (var promote = new NpgsqlCommand($"SELECT pg_promote(true, {wait})", conn) { CommandTimeout = wait + 5 })
        {
            if (await promote.ExecuteScalarAsync(ct) is not true)
                return (false, $"pg_promote did not finish within {wait} s");
        }
        if (await InRecoveryAsync(conn, ct)) return (false, $"{step.Member} is still in recovery after pg_promote");
        string took = $"pg_promote took {time.GetElapsedTime(started).TotalMilliseconds:0} ms, verified out of recovery";
        if (!service.Failover.Synchronous) return (true, took);
        // What the server inherited (from its base backup or an earlier term as primary) must not block
        // commits or name a standby that no longer follows it: reset it now, before traffic arrives.
        string value = service.Failover.SynchronousStrict ? "*" : "";
        await AlterSystemAsync(conn, "synchronous_standby_names", value, ct);
        return (true, $"{took}; synchronous_standby_names = '{value}' until a standby streams from it");
    }

    /// <summary>Points each standby at the new primary (primary_conninfo + reload); standbys follow the new timeline by default.</summary>
    public async Task<(bool, string)> RepointAsync(RepointStandbys step, CancellationToken ct)
    {
        HostPort primary = service.Member(step.NewPrimary).Address;
        var failures = new List<string>();
        foreach (string standby in step.Standbys)
        {
            try
            {
                await using var conn = await OpenAsync(standby, ct);
                await AlterSystemAsync(conn, "primary_conninfo", PgConnections.PrimaryConnInfo(_pg, primary, standby), ct);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                failures.Add($"{standby}: {e.Message}");
            }
        }
        return failures.Count == 0
            ? (true, $"{string.Join(", ", step.Standbys)} stream from {step.NewPrimary}")
            : (false, string.Join("; ", failures));
    }

    /// <summary>
    /// A switchover's target must replay past the stopped primary's shutdown checkpoint (so it holds every write, and the
    /// old primary can follow its new timeline without a rewind); polled until <see cref="PostgresDefaults.CatchUpTimeout"/>.
    /// </summary>
    public async Task<(bool, string)> AwaitReplayAsync(AwaitReplay step, CancellationToken ct)
    {
        long started = time.GetTimestamp();
        long? replayed = null;
        string? error = null;
        while (true)
        {
            try
            {
                await using var conn = await OpenAsync(step.Member, ct);
                while (true)
                {
                    await using var cmd = new NpgsqlCommand("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint", conn);
                    replayed = await cmd.ExecuteScalarAsync(ct) is long at ? at : null;
                    if (replayed is null) return (false, $"{step.Member} is not in recovery");
                    if (replayed > step.Lsn)
                        return (true, $"{step.Member} replayed to {ReplicationView.Lsn(replayed)} in {time.GetElapsedTime(started).TotalMilliseconds:0} ms");
                    if (time.GetElapsedTime(started) >= PostgresDefaults.CatchUpTimeout) break;
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
                }
                break;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                error = e.Message;
                if (time.GetElapsedTime(started) >= PostgresDefaults.CatchUpTimeout) break;
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
            }
        }
        return (false, $"{step.Member} replayed only to {ReplicationView.Lsn(replayed)} within {PostgresDefaults.CatchUpTimeout.TotalSeconds:0} s"
                       + (error is null ? "" : $" (last error: {error})"));
    }

    public async Task<bool> IsStandbyAsync(string member, CancellationToken ct)
    {
        await using var conn = await OpenAsync(member, ct);
        return await InRecoveryAsync(conn, ct);
    }

    public async Task<(bool, string)> SetSynchronousAsync(SetSynchronousStandbys step, CancellationToken ct)
    {
        string value = step.Standbys.IsEmpty
            ? step.Strict ? "*" : ""
            : $"FIRST 1 ({string.Join(", ", step.Standbys.Select(n => "\"" + n.Replace("\"", "\"\"") + "\""))})";
        await using var conn = await OpenAsync(step.Primary, ct);
        await AlterSystemAsync(conn, "synchronous_standby_names", value, ct);
        return (true, $"synchronous_standby_names = '{value}' on {step.Primary}");
    }

    private async Task<NpgsqlConnection> OpenAsync(string member, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(PgConnections.For(_pg, service.Member(member).Address));
        await conn.OpenAsync(ct);
        return conn;
    }

    private static async Task<bool> InRecoveryAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>ALTER SYSTEM takes no parameters, so the value is a quoted literal; then the server reloads its config.</summary>
    private static async Task AlterSystemAsync(NpgsqlConnection conn, string setting, string value, CancellationToken ct)
    {
        string literal = "'" + value.Replace("'", "''") + "'";
        await using (var alter = new NpgsqlCommand($"ALTER SYSTEM SET {setting} = {literal}", conn)) await alter.ExecuteNonQueryAsync(ct);
        await using (var reload = new NpgsqlCommand("SELECT pg_reload_conf()", conn)) await reload.ExecuteScalarAsync(ct);
    }
}
