using System.Globalization;
using Microsoft.Data.Sqlite;
using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// The journal in one SQLite file, in WAL mode with full sync: an event is on disk when
/// <see cref="AppendAsync"/> returns. Triggers refuse UPDATE and DELETE, so the file stays append-only
/// whoever opens it.
/// </summary>
public sealed partial class SqliteJournal : IJournal
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    /// <summary>2 added where a mirrored event came from in the shared log (source, revision).</summary>
    private const int SchemaVersion = 2;

    private SqliteConnection _writer;
    private readonly string _connectionString;
    private JournalLock _lock;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private JournalFileIdentity? _identity;

    private SqliteJournal(SqliteConnection writer, string connectionString, JournalLock fileLock)
    {
        _writer = writer;
        _connectionString = connectionString;
        _lock = fileLock;
        Path = writer.DataSource;
        _identity = JournalFileIdentity.Of(Path);
    }

    public string Path { get; }

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
        SqliteConnection conn;
        try
        {
            conn = await OpenWriterAsync(full, ct);
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }
        return new SqliteJournal(conn, new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly }.ToString(), fileLock);
    }

    private static async Task<SqliteConnection> OpenWriterAsync(string full, CancellationToken ct)
    {
        string cs = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        var conn = new SqliteConnection(cs);
        try
        {
            await conn.OpenAsync(ct);
            await CreateSchemaAsync(conn, full, ct);
            return conn;
        }
        catch (Exception e) when (e is SqliteException or UnauthorizedAccessException or JournalException)
        {
            await conn.DisposeAsync();
            throw e as JournalException ?? new JournalException($"cannot use {full} as a journal: {(e as SqliteException)?.SqliteErrorCode switch { 26 => "it is not an SQLite database", _ => e.Message }}");
        }
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
            -- Reads by type or type family (request.*, drill.*, site.*) stay fast in a journal of millions of events (BENCHMARKS.md).
            CREATE INDEX IF NOT EXISTS events_by_type ON events(type, id);
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

/// <summary>
/// An event of a cluster's shared log, with its place there: <paramref name="Source"/> is its etcd key,
/// <paramref name="Revision"/> the revision that wrote it and <paramref name="Index"/> its place among the keys that
/// revision wrote. Its id in every mirror follows from those, so every instance numbers the log alike, whatever
/// order its mirror stores it in.
/// </summary>
public sealed record MirroredEvent(JournalEvent Event, string Source, long Revision, int Index = 0)
{
    /// <summary>At most this many events per etcd revision (one decision writes a handful).</summary>
    public const int PerRevision = 1000;

    public long Id => Revision * PerRevision + Index;
}

/// <summary>A mirrored event as stored, with its id here; <paramref name="Added"/> is false when it was already (delivered again).</summary>
public sealed record Mirrored(JournalEvent Event, bool Added);

/// <summary>An expected journal problem (missing file, newer schema), reported without a stack trace.</summary>
public sealed class JournalException(string message) : Exception(message);
