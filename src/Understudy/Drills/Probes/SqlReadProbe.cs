using Npgsql;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>
/// Runs one statement (<c>SELECT 1</c> unless the file gives a query) on a new connection per attempt unless keepalive:
/// a PostgreSQL client's read, as a probe or a load generator. Its errors are named as sql_write's are.
/// </summary>
public sealed class SqlReadProbe(ProbeSpec spec, TimeProvider time) : OpenLoopProbe(spec, time)
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(SqlWriteProbe.Connection(spec.Target, null, spec.KeepAlive));

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        await using var conn = await _source.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(Spec.Query ?? "SELECT 1", conn);
        await cmd.ExecuteScalarAsync(ct);
        return AttemptOutcome.Success($"{conn.Host}:{conn.Port}");
    }

    protected override AttemptOutcome ClassifyFailure(Exception e) => SqlWriteProbe.ClassifyNpgsql(e);

    public override void Dispose()
    {
        _source.Dispose();
        base.Dispose();
    }
}
