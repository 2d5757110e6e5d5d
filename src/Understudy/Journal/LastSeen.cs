using System.Collections.Immutable;
using System.Text.Json;
using Understudy.Core.Detection;
using Understudy.Core.Failover;

namespace Understudy.Journal;

/// <summary>
/// What each PostgreSQL server was last seen doing (its role, WAL positions, who streamed from it), kept beside the
/// journal (<c>JOURNAL.seen</c>) and rewritten every few seconds. Checks are not journaled, so without it a controller
/// restarted after the primary died would know no WAL position to judge a standby's lag against and could promote
/// nobody. A view is restored only if the last run saved it shortly before this start: the longer nobody watched, the
/// likelier a standby stopped streaming unseen while the primary went on acknowledging writes.
/// </summary>
public sealed class LastSeen(string journalPath)
{
    /// <summary>The longest gap between the last run's last save and this start for which its view is trusted.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>How often the running controller saves its view.</summary>
    public static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(5);

    public string Path { get; } = journalPath + ".seen";

    /// <summary>Service → member → the last observation; saved at <see cref="SavedAt"/>.</summary>
    public sealed record View(DateTimeOffset SavedAt, Dictionary<string, Dictionary<string, ReplicationView>> Services);

    public static View Of(IEnumerable<ServiceState> states, DateTimeOffset now) => new(now, states.Where(s => s.IsReplicated).ToDictionary(
        s => s.Name, s => s.Members.Values.Where(m => m.Replication is not null).ToDictionary(m => m.Name, m => m.Replication!, StringComparer.Ordinal), StringComparer.Ordinal));

    /// <summary>The last run's view; null when there is none or it cannot be read (nothing is restored then).</summary>
    public View? Read()
    {
        try { return JsonSerializer.Deserialize<View>(File.ReadAllText(Path)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException) { return null; }
    }

    /// <summary>Written whole to a temporary file, flushed, then renamed over the old one: never half a view.</summary>
    public void Write(View view)
    {
        string temporary = Path + ".tmp";
        using (var f = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(f, view);
            f.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>
    /// The states with each PostgreSQL member's last observation put back (marked restored until a check sees the
    /// server), if the last run saved them at most <see cref="MaxAge"/> before <paramref name="now"/>; and what was done, for the log.
    /// </summary>
    public IReadOnlyList<ServiceState> Restore(IReadOnlyList<ServiceState> states, DateTimeOffset now, out string? note)
    {
        note = null;
        if (!states.Any(s => s.IsReplicated) || Read() is not { } view) return states;
        TimeSpan age = now - view.SavedAt;
        if (age > MaxAge || age < -MaxAge)
        {
            note = $"not restoring what the PostgreSQL servers were last seen doing: {Path} was saved at {view.SavedAt:u}, more than {MaxAge.TotalMinutes:0} min " +
                   "from now, so a standby's lag is unknown until the primary answers (an operator can force a failover)";
            return states;
        }
        note = $"restored what the PostgreSQL servers were last seen doing, saved {Math.Max(0, age.TotalSeconds):0} s before this start ({Path})";
        return [.. states.Select(s => view.Services.TryGetValue(s.Name, out var seen) && s.IsReplicated ? WithSeen(s, seen) : s)];
    }

    private static ServiceState WithSeen(ServiceState s, Dictionary<string, ReplicationView> seen) => s with
    {
        Members = s.Members.ToImmutableDictionary(m => m.Key, m => seen.TryGetValue(m.Key, out ReplicationView? pg) ? m.Value with { Replication = pg, ReplicationRestored = true } : m.Value),
    };
}

/// <summary>Saves every service's <see cref="LastSeen"/> view every few seconds and once more at the stop.</summary>
public sealed partial class LastSeenWriter(LastSeen file, string? restored, Func<IEnumerable<ServiceState>> states, TimeProvider time, ILogger<LastSeenWriter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (restored is not null) Log.Restored(logger, restored);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(LastSeen.SaveEvery, time, stopping);
                Save();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Save();
    }

    private void Save()
    {
        try { file.Write(LastSeen.Of(states(), time.GetUtcNow())); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a restart right after the primary's death needs it; the next save may work.
            Log.NotWritten(logger, file.Path, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 136, Level = LogLevel.Information, Message = "{What}")]
        public static partial void Restored(ILogger logger, string what);

        [LoggerMessage(EventId = 137, Level = LogLevel.Warning, Message = "could not write {Path}: {Why}")]
        public static partial void NotWritten(ILogger logger, string path, string why);
    }
}
