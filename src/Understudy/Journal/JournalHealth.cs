using Microsoft.Data.Sqlite;

namespace Understudy.Journal;

/// <summary>What <see cref="JournalHealth"/> knows at one instant: writable, or since when not and why.</summary>
/// <param name="FailedWrites">Failed write attempts since the controller started (every retry counts).</param>
public sealed record JournalCondition(bool Writable, string? Cause, DateTimeOffset? Since, long FailedWrites);

/// <summary>
/// Whether this controller's journal takes writes. A journal that does not stalls every decision (nothing acts
/// unjournaled), so this is what /health, the status, the metrics and the direct alert report instead of a stale
/// "steady". Writers report every attempt; the first failure and the first success after failures are the changes.
/// </summary>
public sealed class JournalHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private JournalCondition _now = new(true, null, null, 0);
    private long _failedInOutage;

    /// <summary>Raised once when writes begin to fail, outside the lock.</summary>
    public event Action<JournalCondition>? BecameUnavailable;

    /// <summary>Raised once when a write succeeds after failures, with the outage's cause, start and failed attempts.</summary>
    public event Action<JournalCondition>? Recovered;

    public JournalCondition Now
    {
        get { lock (_lock) return _now; }
    }

    public void WriteFailed(Exception error)
    {
        JournalCondition? began = null;
        lock (_lock)
        {
            _failedInOutage++;
            _now = _now.Writable
                ? began = new JournalCondition(false, Describe(error), time.GetUtcNow(), _now.FailedWrites + 1)
                : _now with { FailedWrites = _now.FailedWrites + 1 };
        }
        if (began is not null) BecameUnavailable?.Invoke(began);
    }

    public void WriteSucceeded()
    {
        JournalCondition? ended = null;
        lock (_lock)
        {
            if (_now.Writable) return;
            ended = _now with { FailedWrites = _failedInOutage };
            _now = new JournalCondition(true, null, null, _now.FailedWrites);
            _failedInOutage = 0;
        }
        Recovered?.Invoke(ended);
    }

    /// <summary>
    /// One phrase for an operator, from SQLite's own error, never a path or a stack trace (it is shown on /health,
    /// which needs no token).
    /// </summary>
    public static string Describe(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: 13 } => "the disk is full (SQLite error 13)",
        SqliteException { SqliteErrorCode: 8 } => "the journal file is read-only (SQLite error 8)",
        SqliteException { SqliteErrorCode: 10 } => "a disk I/O error (SQLite error 10)",
        SqliteException { SqliteErrorCode: 11 or 26 } e => $"the journal file is corrupt (SQLite error {e.SqliteErrorCode})",
        SqliteException { SqliteErrorCode: 23 or 3 } e => $"permission denied (SQLite error {e.SqliteErrorCode})",
        SqliteException e => $"SQLite error {e.SqliteErrorCode}",
        IOException => "an I/O error",
        UnauthorizedAccessException => "permission denied",
        _ => $"unexpected error ({error.GetType().Name})",
    };
}
