using System.Text;
using Microsoft.Data.Sqlite;
using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>Reads the journal through its own read-only connection; safe beside a writing controller (WAL).</summary>
public sealed class SqliteJournalReader(string connectionString)
{
    public async Task<IReadOnlyList<JournalEvent>> ReadAsync(JournalQuery query, CancellationToken ct = default)
    {
        try
        {
            return await ReadCoreAsync(query, ct);
        }
        catch (SqliteException e)
        {
            throw new JournalException($"cannot read the journal {new SqliteConnectionStringBuilder(connectionString).DataSource}: {(e.SqliteErrorCode == 26 ? "it is not an SQLite database" : e.Message)}");
        }
    }

    private async Task<IReadOnlyList<JournalEvent>> ReadCoreAsync(JournalQuery query, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        var sql = new StringBuilder("SELECT id, time, service, member, epoch, type, actor, details FROM events WHERE id > $after");
        cmd.Parameters.AddWithValue("$after", query.AfterId);
        if (query.Service is not null) { sql.Append(" AND service = $service"); cmd.Parameters.AddWithValue("$service", query.Service); }
        if (query.Type is not null) { sql.Append(" AND type = $type"); cmd.Parameters.AddWithValue("$type", query.Type); }
        if (query.BeforeId is { } before) { sql.Append(" AND id < $before"); cmd.Parameters.AddWithValue("$before", before); }
        if (query.TypePrefix is { Length: > 0 } prefix)
        {
            // A range rather than substr(), so the type index serves it: every type starting with the prefix sorts in [prefix, prefix + U+FFFF).
            sql.Append(" AND type >= $prefix AND type < $prefixEnd");
            cmd.Parameters.AddWithValue("$prefix", prefix);
            cmd.Parameters.AddWithValue("$prefixEnd", prefix + '\uffff');
        }
        if (query.Since is { } since) { sql.Append(" AND time >= $since"); cmd.Parameters.AddWithValue("$since", SqliteJournal.FormatTime(since)); }
        // A type family is a few events among millions, but with bound parameters SQLite cannot tell and would walk every
        // row in id order: "+id" keeps it from ordering by the rowid, so it takes the type index and sorts the few it finds.
        string orderBy = query.TypePrefix is { Length: > 0 } && query.Type is null ? "+id" : "id";
        sql.Append(query.NewestFirst ? $" ORDER BY {orderBy} DESC" : $" ORDER BY {orderBy}");
        if (query.Limit is { } limit) { sql.Append(" LIMIT $limit"); cmd.Parameters.AddWithValue("$limit", limit); }
        cmd.CommandText = sql.ToString();

        var events = new List<JournalEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(EventJson.FromRow(reader.GetInt64(0), SqliteJournal.ParseTime(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }
        return events;
    }
}
