using System.Globalization;
using Microsoft.Data.Sqlite;
using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// The journal in one SQLite file, in WAL mode with full sync: an event is on disk when
/// <see cref="AppendAsync"/> returns. Triggers refuse UPDATE and DELETE, so the file stays append-only
/// whoever opens it.
/// </summary>
public sealed class SqliteJournal : IJournal
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    /// <summary>2 added where a mirrored event came from in the shared log (source, revision).</summary>
    private const int SchemaVersion = 2;

    private readonly SqliteConnection _writer;
    private readonly string _connectionString;
    private readonly JournalLock _lock;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private SqliteJournal(SqliteConnection writer, string connectionString, JournalLock fileLock)
    {
        _writer = writer;
        _connectionString = connectionString;
        _lock = fileLock;
    }

    public string Path => _writer.DataSource;

    /// <summary>Opens (creating if needed) the journal for writing, as its only writer.</summary>
    public static async Task<SqliteJournal> OpenAsync(string path, CancellationToken ct = default)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JournalException($"cannot create the folder of {full}: {e.Message}");
        }
        JournalLock fileLock = JournalLock.Acquire(full);
        string cs = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        var conn = new SqliteConnection(cs);
        try
        {
            await conn.OpenAsync(ct);
            await CreateSchemaAsync(conn, full, ct);
        }
        catch (Exception e) when (e is SqliteException or UnauthorizedAccessException or JournalException)
        {
            await conn.DisposeAsync();
            fileLock.Dispose();
            throw e as JournalException ?? new JournalException($"cannot use {full} as a journal: {(e as SqliteException)?.SqliteErrorCode switch { 26 => "it is not an SQLite database", _ => e.Message }}");
        }
        return new SqliteJournal(conn, new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly }.ToString(), fileLock);
    }

    private static async Task CreateSchemaAsync(SqliteConnection conn, string full, CancellationToken ct)
    {
        await ExecAsync(conn, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS events (
                id      INTEGER PRIMARY KEY AUTOINCREMENT,
                time    TEXT    NOT NULL,
                service TEXT    NOT NULL,
                member  TEXT,
                epoch   INTEGER NOT NULL,
                type    TEXT    NOT NULL,
                actor   TEXT    NOT NULL,
                details TEXT    NOT NULL
            );
            CREATE INDEX IF NOT EXISTS events_by_service ON events(service, id);
            CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            """, ct);
        long version = (long)(await ScalarAsync(conn, "PRAGMA user_version", ct) ?? 0L);
        if (version > SchemaVersion)
            throw new JournalException($"{full} was written by a newer Understudy (journal schema {version}, this one reads {SchemaVersion})");
        if (version < 2)
        {
            // Adding columns rewrites no row: the journal stays append-only.
            bool has = await ScalarAsync(conn, "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'source'", ct) is long n && n > 0;
            if (!has) await ExecAsync(conn, "ALTER TABLE events ADD COLUMN source TEXT; ALTER TABLE events ADD COLUMN revision INTEGER;", ct);
            await ExecAsync(conn, "CREATE UNIQUE INDEX IF NOT EXISTS events_by_source ON events(source) WHERE source IS NOT NULL", ct);
        }
        await ExecAsync(conn, $"PRAGMA user_version = {SchemaVersion}", ct);
    }

    /// <summary>Opens an existing journal for reading only, as the CLI does beside a running controller.</summary>
    public static SqliteJournalReader OpenReadOnly(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new JournalException($"no journal at {full}: has the controller run with this config?");
        return new SqliteJournalReader(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly }.ToString());
    }

    public async Task<IReadOnlyList<JournalEvent>> AppendAsync(IReadOnlyList<JournalEvent> events, CancellationToken ct = default)
    {
        if (events.Count == 0) return events;
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _writer.BeginTransactionAsync(ct);
            var stored = new List<JournalEvent>(events.Count);
            foreach (JournalEvent e in events)
            {
                await using var cmd = _writer.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO events (time, service, member, epoch, type, actor, details)
                    VALUES ($time, $service, $member, $epoch, $type, $actor, $details) RETURNING id
                    """;
                Bind(cmd, e);
                long id = (long)(await cmd.ExecuteScalarAsync(ct))!;
                stored.Add(e with { Id = id });
            }
            await tx.CommitAsync(ct);
            return stored;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Mirrors events of the shared log: each is stored once, whatever is delivered again (a resumed watch, a
    /// restart), keyed by its place in the log. Returns every one as stored, with its id here.
    /// </summary>
    public async Task<IReadOnlyList<JournalEvent>> MirrorAsync(IReadOnlyList<MirroredEvent> events, CancellationToken ct = default)
    {
        if (events.Count == 0) return [];
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _writer.BeginTransactionAsync(ct);
            var stored = new List<JournalEvent>(events.Count);
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
                    stored.Add(e with { Id = existing });
                    continue;
                }
                await using var cmd = _writer.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO events (time, service, member, epoch, type, actor, details, source, revision)
                    VALUES ($time, $service, $member, $epoch, $type, $actor, $details, $source, $revision) RETURNING id
                    """;
                Bind(cmd, e);
                cmd.Parameters.AddWithValue("$source", m.Source);
                cmd.Parameters.AddWithValue("$revision", m.Revision);
                stored.Add(e with { Id = (long)(await cmd.ExecuteScalarAsync(ct))! });
            }
            await tx.CommitAsync(ct);
            return stored;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The newest revision of the shared log this mirror holds; 0 when it holds none.</summary>
    public async Task<long> MirroredRevisionAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try { return await ScalarAsync(_writer, "SELECT coalesce(max(revision), 0) FROM events", ct) is long r ? r : 0; }
        finally { _writeLock.Release(); }
    }

    public Task<IReadOnlyList<JournalEvent>> ReadAsync(JournalQuery query, CancellationToken ct = default) =>
        new SqliteJournalReader(_connectionString).ReadAsync(query, ct);

    private static void Bind(SqliteCommand cmd, JournalEvent e)
    {
        cmd.Parameters.AddWithValue("$time", e.Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$service", e.Service);
        cmd.Parameters.AddWithValue("$member", (object?)e.Member ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$epoch", e.Epoch);
        cmd.Parameters.AddWithValue("$type", e.Type);
        cmd.Parameters.AddWithValue("$actor", e.Actor);
        cmd.Parameters.AddWithValue("$details", EventJson.StoredDetails(e));
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _writeLock.Dispose();
        _lock.Dispose();
    }

    internal static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string s) =>
        DateTimeOffset.ParseExact(s, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static async Task ExecAsync(SqliteConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync(ct);
    }
}

/// <summary>An event of a cluster's shared log, with its place there: <paramref name="Source"/> is its etcd key, <paramref name="Revision"/> the revision that wrote it.</summary>
public sealed record MirroredEvent(JournalEvent Event, string Source, long Revision);

/// <summary>An expected journal problem (missing file, newer schema), reported without a stack trace.</summary>
public sealed class JournalException(string message) : Exception(message);
