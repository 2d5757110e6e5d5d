using System.Net.Sockets;
using Npgsql;

namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>SQL against the server over TCP, one unpooled connection per call: a test must see a dead server at once, not a pooled ghost.</summary>
public sealed partial class PgServer
{
    /// <summary>The first column of every row (NULL as default, so ask for <c>long?</c> where it matters); <c>$1</c>, <c>$2</c> … take <paramref name="args"/>.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, params object?[] args)
    {
        await using var conn = await OpenAsync();
        await using var cmd = Command(conn, sql, args);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(await reader.IsDBNullAsync(0) ? default! : reader.GetFieldValue<T>(0));
        return rows;
    }

    /// <summary>The one value of a one-row query.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object?[] args) => (await QueryAsync<T>(sql, args)).Single();

    /// <summary>Runs statements; the rows they affected.</summary>
    public async Task<int> ExecAsync(string sql, params object?[] args)
    {
        await using var conn = await OpenAsync();
        await using var cmd = Command(conn, sql, args);
        return await cmd.ExecuteNonQueryAsync();
    }

    public Task<bool> IsInRecoveryAsync() => ScalarAsync<bool>("SELECT pg_is_in_recovery()");

    /// <summary>Whether a connection is refused outright (nothing listens on the port), as opposed to slow or failing later.</summary>
    public async Task<bool> RefusesConnectionsAsync()
    {
        try
        {
            await using var conn = await OpenAsync();
            return false;
        }
        catch (NpgsqlException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }) { return true; }
        catch (NpgsqlException) { return false; }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(ConnectionString);
        try { await conn.OpenAsync(); }
        catch { await conn.DisposeAsync(); throw; }
        return conn;
    }

    private static NpgsqlCommand Command(NpgsqlConnection conn, string sql, object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (object? a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        return cmd;
    }
}
