using System.Collections.Immutable;
using Npgsql;
using Understudy.Core.Detection;
using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>
/// Connects (a new connection each time, so a server that stopped accepting is seen) and reads the
/// server's role and WAL positions; on a primary also which standbys stream and which are synchronous.
/// </summary>
public sealed class PostgresHealthCheck(PostgresSpec pg) : IHealthCheck
{
    private const string Role = """
        SELECT pg_is_in_recovery(),
               CASE WHEN pg_is_in_recovery() THEN NULL ELSE (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint END,
               (pg_last_wal_receive_lsn() - '0/0'::pg_lsn)::bigint,
               (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint,
               CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
                    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END
        """;

    private const string Replication = "SELECT application_name, state, sync_state FROM pg_stat_replication";

    public async Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
    {
        // Npgsql honours the token, but a frozen server can stall a cancel request: never wait past the timeout.
        return await ReadAsync(member, ct).WaitAsync(ct);
    }

    /// <summary>
    /// The first connection of this process to a server costs far more than the next ones: Npgsql loads the server's
    /// types into the data source of the connection string (kept for the process, pooling or not) and its code is
    /// compiled on first use: 0.2–1 s against a local server on a busy 2-core host, 5–50 ms for the checks after.
    /// Inside a 150 ms timeout the first checks failed in a row (each cancelled, so the next paid again), and a live
    /// primary was marked down and failed over at start (issue 13 item 8). One check that the timeout does not cut
    /// short leaves the data source loaded and the code compiled.
    /// </summary>
    public Task WarmUpAsync(MemberSpec member, CancellationToken ct) => CheckAsync(member, ct);

    private async Task<CheckOutcome> ReadAsync(MemberSpec member, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(PgConnections.For(pg, member.Address));
        await conn.OpenAsync(ct);
        bool inRecovery;
        long? current, received, replayed;
        int? timeline;
        await using (var cmd = new NpgsqlCommand(Role, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            inRecovery = r.GetBoolean(0);
            current = r.IsDBNull(1) ? null : r.GetInt64(1);
            received = r.IsDBNull(2) ? null : r.GetInt64(2);
            replayed = r.IsDBNull(3) ? null : r.GetInt64(3);
            timeline = r.IsDBNull(4) ? null : r.GetInt32(4);
        }
        if (inRecovery)
        {
            return new CheckOutcome(true, $"standby, received {Lsn(received)}, replayed {Lsn(replayed)}",
                new ReplicationView(true, null, received, replayed, timeline, [], []));
        }

        var streaming = ImmutableArray.CreateBuilder<string>();
        var sync = ImmutableArray.CreateBuilder<string>();
        await using (var cmd = new NpgsqlCommand(Replication, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                string name = r.IsDBNull(0) ? "" : r.GetString(0);
                if (!r.IsDBNull(1) && r.GetString(1) == "streaming") streaming.Add(name);
                if (!r.IsDBNull(2) && r.GetString(2) is "sync" or "quorum") sync.Add(name);
            }
        }
        string detail = $"primary at {Lsn(current)}, {streaming.Count} streaming" + (sync.Count > 0 ? $" ({string.Join(", ", sync)} synchronous)" : "");
        return new CheckOutcome(true, detail, new ReplicationView(false, current, received, replayed, timeline, sync.ToImmutable(), streaming.ToImmutable()));
    }

    /// <summary>The X/Y form PostgreSQL prints.</summary>
    public static string Lsn(long? bytes) => ReplicationView.Lsn(bytes);
}
