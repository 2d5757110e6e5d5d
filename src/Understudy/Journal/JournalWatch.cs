using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Hosting;

namespace Understudy.Journal;

/// <summary>
/// Notices at once when the journal file is deleted, replaced or truncated under a single controller (inotify on its
/// folder, and a stat every second as the backstop), starts a new file at the same path (<see cref="SqliteJournal.ReplaceFileAsync"/>),
/// journals <c>journal.replaced</c> — alerted as critical — and has every service write its snapshot into it, so the
/// next start folds the current state and the epoch never goes back. A cluster's file is only a mirror of the shared
/// log, so this runs for a single controller.
/// </summary>
public sealed partial class JournalWatch(SqliteJournal file, IJournal journal, Controller controller, Core.Topology.ControllerSpec spec,
    TimeProvider time, ILogger<JournalWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var nudge = new SemaphoreSlim(0);
        using var watcher = Watch(() => nudge.Release());
        using var ticks = time.CreateTimer(_ => nudge.Release(), null, Every, Every);
        try
        {
            while (true)
            {
                await nudge.WaitAsync(stopping);
                while (nudge.CurrentCount > 0) await nudge.WaitAsync(stopping); // a burst of inotify events is one check
                JournalFileChange change = await file.CheckFileAsync(stopping);
                if (change != JournalFileChange.Intact) await ReplaceAsync(change, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    private async Task ReplaceAsync(JournalFileChange change, CancellationToken stopping)
    {
        string what = change switch
        {
            JournalFileChange.Gone => "was deleted",
            JournalFileChange.Replaced => "was replaced by another file",
            _ => "was truncated",
        };
        Log.Changed(logger, file.Path, what);
        IReadOnlyList<string> moved;
        try
        {
            moved = await file.ReplaceFileAsync(change, time.GetUtcNow(), stopping);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JournalException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Left as it is, the next check finds the same change and tries again; writes go on to the file still open.
            Log.NotReplaced(logger, e.Message);
            return;
        }
        string kept = change == JournalFileChange.Truncated
            ? "its history is lost (the damaged file is kept aside); every service's state was written into the new file as a snapshot"
            : "its whole history was copied from the file still open";
        await journal.AppendAsync([new JournalReplaced(what, spec.Name)
        {
            Time = time.GetUtcNow(),
            Reason = $"{spec.Name}: the journal {what} while the controller ran; a new one was started at the same path: {kept}" +
                     (moved.Count > 0 ? $"; moved aside: {string.Join(", ", moved.Select(Path.GetFileName))}" : ""),
        }], stopping);
        // Through each service's loop, so a snapshot is exactly the state its decisions so far made.
        foreach (var s in controller.Services) s.Loop.Post(new SnapshotDue(0));
    }

    private FileSystemWatcher? Watch(Action changed)
    {
        try
        {
            var w = new FileSystemWatcher(Path.GetDirectoryName(file.Path)!, Path.GetFileName(file.Path) + "*")
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size,
            };
            w.Deleted += (_, _) => changed();
            w.Renamed += (_, _) => changed();
            w.Created += (_, _) => changed();
            w.Changed += (_, _) => changed();
            w.EnableRaisingEvents = true;
            return w;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            return null; // the stat every second still notices
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 133, Level = LogLevel.Critical, Message = "the journal {Path} {What} while the controller ran; starting a new one at the same path")]
        public static partial void Changed(ILogger logger, string path, string what);

        [LoggerMessage(EventId = 134, Level = LogLevel.Error, Message = "could not start a new journal file: {Why}; retrying")]
        public static partial void NotReplaced(ILogger logger, string why);
    }
}
