using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Understudy.Journal;

/// <summary>The journal file under a running controller: noticing it was deleted, replaced or truncated, and starting a new one.</summary>
public sealed partial class SqliteJournal
{
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
}
