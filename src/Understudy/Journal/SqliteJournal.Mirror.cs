using Microsoft.Data.Sqlite;
using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>A cluster member's journal as the mirror of the shared log: each log entry stored once, keyed by its place there.</summary>
public sealed partial class SqliteJournal
{
    /// <summary>
    /// Mirrors events of the shared log: each is stored once, whatever is delivered again (a resumed watch, a
    /// restart), keyed by its place in the log. Returns every one as stored, with its id here.
    /// </summary>
    public async Task<IReadOnlyList<Mirrored>> MirrorAsync(IReadOnlyList<MirroredEvent> events, CancellationToken ct = default)
    {
        if (events.Count == 0) return [];
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _writer.BeginTransactionAsync(ct);
            var stored = new List<Mirrored>(events.Count);
            foreach (MirroredEvent m in events)
            {
                JournalEvent e = m.Event;
                // Already here (delivered again): its id. Looked up first, so an id is never spent on a duplicate.
                await using var find = _writer.CreateCommand();
                find.Transaction = tx;
                find.CommandText = "SELECT id FROM events WHERE source = $source";
                find.Parameters.AddWithValue("$source", m.Source);
                if (await find.ExecuteScalarAsync(ct) is long existing)
                {
                    stored.Add(new Mirrored(e with { Id = existing }, Added: false));
                    continue;
                }
                await using var cmd = _writer.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO events (id, time, service, member, epoch, type, actor, details, source, revision)
                    VALUES ($id, $time, $service, $member, $epoch, $type, $actor, $details, $source, $revision) RETURNING id
                    """;
                Bind(cmd, e);
                cmd.Parameters.AddWithValue("$id", m.Id);
                cmd.Parameters.AddWithValue("$source", m.Source);
                cmd.Parameters.AddWithValue("$revision", m.Revision);
                stored.Add(new Mirrored(e with { Id = (long)(await cmd.ExecuteScalarAsync(ct))! }, Added: true));
            }
            await tx.CommitAsync(ct);
            return stored;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The mirrored events whose source starts with <paramref name="prefix"/> (a cluster's decisions), in order.</summary>
    public async Task<IReadOnlyList<JournalEvent>> ReadMirroredAsync(string prefix, CancellationToken ct = default)
    {
        await using var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT id, time, service, member, epoch, type, actor, details FROM events WHERE substr(source, 1, length($p)) = $p ORDER BY id";
        cmd.Parameters.AddWithValue("$p", prefix);
        var events = new List<JournalEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            events.Add(EventJson.FromRow(reader.GetInt64(0), ParseTime(reader.GetString(1)), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        return events;
    }

    /// <summary>Where the snapshots under <paramref name="prefix"/> (a service's log) are: their sources and revisions, newest first.</summary>
    public async Task<IReadOnlyList<(string Source, long Revision)>> SnapshotsAsync(string prefix, CancellationToken ct = default)
    {
        await using var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT source, revision FROM events WHERE type = 'snapshot' AND substr(source, 1, length($p)) = $p ORDER BY revision DESC";
        cmd.Parameters.AddWithValue("$p", prefix);
        var found = new List<(string, long)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found.Add((reader.GetString(0), reader.GetInt64(1)));
        return found;
    }

    /// <summary>
    /// Under <paramref name="prefix"/> (every instance's notes), the newest mirrored source of each instance's prefix
    /// whose revision is below <paramref name="revision"/> and whose time is before <paramref name="writtenBefore"/>:
    /// how far each instance's notes may be trimmed.
    /// </summary>
    public async Task<IReadOnlyList<(string Prefix, string Newest)>> NewestNotesBeforeAsync(string prefix, long revision, DateTimeOffset writtenBefore, CancellationToken ct = default)
    {
        await using var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        // A note's source is its instance's prefix and a number (EtcdKeys.Note): trimming the digits leaves the prefix.
        // The range on source takes the events_by_source index.
        cmd.CommandText = "SELECT rtrim(source, '0123456789'), MAX(source) FROM events WHERE source >= $p AND source < $end AND revision < $r AND time < $t GROUP BY 1";
        cmd.Parameters.AddWithValue("$p", prefix);
        cmd.Parameters.AddWithValue("$end", Coordination.EtcdKeys.RangeEnd(prefix));
        cmd.Parameters.AddWithValue("$r", revision);
        cmd.Parameters.AddWithValue("$t", FormatTime(writtenBefore));
        var found = new List<(string, string)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found.Add((reader.GetString(0), reader.GetString(1)));
        return found;
    }

    /// <summary>The sources of the newest mirrored events, one per source prefix up to the last '/' (a service's log, an instance's notes).</summary>
    public async Task<IReadOnlyDictionary<string, string>> LastSourcesAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var cmd = _writer.CreateCommand();
            cmd.CommandText = "SELECT source FROM events WHERE source IS NOT NULL ORDER BY id";
            var last = new Dictionary<string, string>(StringComparer.Ordinal);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                string source = reader.GetString(0);
                string prefix = source[..(source.LastIndexOf('/') + 1)];
                if (!last.TryGetValue(prefix, out string? known) || string.CompareOrdinal(source, known) > 0) last[prefix] = source;
            }
            return last;
        }
        finally { _writeLock.Release(); }
    }

    /// <summary>How many entries of the shared log (decisions, not notes) this mirror holds past <paramref name="revision"/>.</summary>
    public async Task<long> CountLogAfterAsync(long revision, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var cmd = _writer.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM events WHERE revision > $r AND source LIKE '%/log/%'";
            cmd.Parameters.AddWithValue("$r", revision);
            return await cmd.ExecuteScalarAsync(ct) is long n ? n : 0;
        }
        finally { _writeLock.Release(); }
    }

    /// <summary>The newest revision of the shared log this mirror holds; 0 when it holds none.</summary>
    public async Task<long> MirroredRevisionAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try { return await ScalarAsync(_writer, "SELECT coalesce(max(revision), 0) FROM events", ct) is long r ? r : 0; }
        finally { _writeLock.Release(); }
    }
}
