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

    /// <summary>Whether the file at <see cref="Path"/> is still the one this journal writes, at no smaller a size than last seen.</summary>
    public async Task<JournalFileChange> CheckFileAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            JournalFileIdentity? now = JournalFileIdentity.Of(Path);
            if (_identity is null) { _identity = now; return JournalFileChange.Intact; }
            JournalFileChange change = _identity.Compare(now);
            if (change == JournalFileChange.Intact && now is not null) _identity = now;
            return change;
        }
        finally { _writeLock.Release(); }
    }

    /// <summary>
    /// Starts a new file at <see cref="Path"/> after <paramref name="change"/>. A deleted or replaced file is still open
    /// here, whole: it is copied into the new one (SQLite's online backup), so no history is lost. A truncated one is
    /// damaged: the new file starts empty and the caller writes every service's snapshot into it. Whatever was at the
    /// path (a foreign file, a damaged one, their -wal and -shm) is moved aside, never deleted. Returns what was moved.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReplaceFileAsync(JournalFileChange change, DateTimeOffset now, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            string stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            string copy = Path + ".new";
            File.Delete(copy);
            if (change is JournalFileChange.Gone or JournalFileChange.Replaced)
            {
                // Rollback-journal mode for the copy: no -wal beside it to move when it is renamed into place.
                await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
                await target.OpenAsync(ct);
                _writer.BackupDatabase(target);
            }
            // Closing the old connection would checkpoint into, and remove, the -wal of whatever now bears the name.
            SqliteConnection old = _writer;
            var moved = new List<string>();
            foreach (string suffix in new[] { "", "-wal", "-shm" })
            {
                string file = Path + suffix;
                if (!File.Exists(file)) continue;
                string aside = $"{Path}.{(change == JournalFileChange.Truncated ? "damaged" : "replaced")}-{stamp}{suffix}";
                File.Move(file, aside, overwrite: false);
                moved.Add(aside);
            }
            await old.DisposeAsync();
            if (File.Exists(copy)) File.Move(copy, Path);
            // The folder may have gone with the lock file in it: the old lock is on a file no one else can open.
            _lock.Dispose();
            _lock = JournalLock.Acquire(Path);
            _writer = await OpenWriterAsync(Path, ct);
            _identity = JournalFileIdentity.Of(Path);
            // Pooled readers still hold the old file open; they would go on reading it.
            using (var reader = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(reader);
            return moved;
        }
        finally { _writeLock.Release(); }
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
