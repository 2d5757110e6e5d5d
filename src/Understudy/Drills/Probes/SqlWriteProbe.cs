using Npgsql;
using Understudy.Core.Drills;
using Understudy.Core.Topology;

namespace Understudy.Drills.Probes;

/// <summary>
/// INSERTs sequence numbers (a new connection per attempt unless keepalive) and remembers each one the
/// server acknowledged (the autocommit returned) and when. Rows carry this run's id, so a table shared by
/// many drills keeps them apart. Afterwards it reads them back through the same address (the new primary)
/// and can compare the new primary with each standby once they have caught up.
/// </summary>
public sealed class SqlWriteProbe : OpenLoopProbe, IWriteProbe
{
    private readonly NpgsqlDataSource _source;
    private readonly WriteAcknowledgements _acknowledged = new();
    private readonly string _table;

    public SqlWriteProbe(ProbeSpec spec, TimeProvider time) : base(spec, time)
    {
        _table = spec.Table ?? "understudy_probe";
        _source = NpgsqlDataSource.Create(Connection(spec.Target, null, spec.KeepAlive));
    }

    public IReadOnlyList<(long Seq, DateTimeOffset AckedAt)> Acknowledged => _acknowledged.List;

    /// <summary>Creates the probe table if needed, before the drill starts writing.</summary>
    public override async Task PrepareAsync(CancellationToken ct)
    {
        try
        {
            await using var cmd = _source.CreateCommand(
                $"CREATE TABLE IF NOT EXISTS {_table} (run text NOT NULL, id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run, id))");
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException e)
        {
            throw new DrillException($"probe {Spec.Name}: cannot create table {_table} through {Spec.Shown}: {e.Message}");
        }
    }

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        await using var conn = await _source.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"INSERT INTO {_table} (run, id) VALUES ($1, $2)", conn) { Parameters = { new() { Value = _acknowledged.Run }, new() { Value = seq } } };
        await cmd.ExecuteNonQueryAsync(ct);
        _acknowledged.Add(seq, Time.GetUtcNow());
        return AttemptOutcome.Success($"{conn.Host}:{conn.Port}", "committed");
    }

    /// <summary>
    /// Npgsql's errors in DESIGN.md's kinds: a connection cut or closed mid-statement is a reset, a server
    /// shutting down or starting up (57P01–57P03) is refused/reset as a client sees it; any other server
    /// error (writing to a read-only server, a constraint) is a real error, kind other.
    /// </summary>
    protected override AttemptOutcome ClassifyFailure(Exception e) => ClassifyNpgsql(e);

    internal static AttemptOutcome ClassifyNpgsql(Exception e) => e switch
    {
        PostgresException { SqlState: "57P03" } => AttemptOutcome.Failure(ErrorKind.Refused, "the server is starting up or shutting down"),
        PostgresException { SqlState: "57P01" or "57P02" } pe => AttemptOutcome.Failure(ErrorKind.Reset, $"terminated by the server ({pe.SqlState})"),
        PostgresException pe => AttemptOutcome.Failure(ErrorKind.Other, $"PostgreSQL {pe.SqlState}: {pe.MessageText}"),
        NpgsqlException { InnerException: System.Net.Sockets.SocketException } ne => Classify(ne.InnerException!),
        NpgsqlException { InnerException: IOException or EndOfStreamException } => AttemptOutcome.Failure(ErrorKind.Reset, "connection closed before the commit was acknowledged"),
        _ => Classify(e),
    };

    /// <summary>Reads this run's rows back through the probe's address (the primary now) and compares them with the acknowledgements.</summary>
    public async Task<WriteLoss> ReadBackAsync(CancellationToken ct)
    {
        try
        {
            var present = new HashSet<long>();
            await using var cmd = _source.CreateCommand($"SELECT id FROM {_table} WHERE run = $1");
            cmd.Parameters.Add(new() { Value = _acknowledged.Run });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) present.Add(reader.GetInt64(0));
            return _acknowledged.Compare(present);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            throw new DrillException($"probe {Spec.Name}: could not read the writes back through {Spec.Shown}: {e.Message}");
        }
    }

    /// <summary>
    /// Data consistency: this run's row count and checksum on <paramref name="standby"/> against the
    /// primary's, waiting (up to <paramref name="within"/>) for the standby to catch up.
    /// </summary>
    public async Task<(bool Ok, string Detail)> CompareAsync(string standby, HostPort address, TimeSpan within, CancellationToken ct)
    {
        try
        {
            (long Rows, string Sum) primary = await DigestAsync(_source, ct);
            await using var direct = NpgsqlDataSource.Create(Connection(Spec.Target, address, keepAlive: false));
            DateTimeOffset deadline = Time.GetUtcNow() + within;
            while (true)
            {
                var copy = await DigestAsync(direct, ct);
                if (copy == primary) return (true, $"{standby} holds the same {primary.Rows} rows (checksum {primary.Sum[..12]})");
                if (Time.GetUtcNow() > deadline)
                    return (false, $"{standby} holds {copy.Rows} rows, the primary {primary.Rows}, still after {within.TotalSeconds:0} s");
                await Task.Delay(TimeSpan.FromMilliseconds(200), Time, ct);
            }
        }
        catch (NpgsqlException e)
        {
            return (false, $"could not compare {standby}: {e.Message}");
        }
    }

    private async Task<(long Rows, string Sum)> DigestAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        await using var cmd = source.CreateCommand($"SELECT count(*), coalesce(md5(string_agg(id::text, ',' ORDER BY id)), '') FROM {_table} WHERE run = $1");
        cmd.Parameters.Add(new() { Value = _acknowledged.Run });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetString(1));
    }

    internal static string Connection(string connectionString, HostPort? at, bool keepAlive)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = keepAlive };
        if (at is { } a) (b.Host, b.Port) = (a.Host, a.Port);
        return b.ConnectionString;
    }

    public override void Dispose()
    {
        _source.Dispose();
        base.Dispose();
    }
}
