using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Hosting;

/// <summary>
/// The start's guard against a journal that knows less than the last run did (deleted, replaced, restored from an
/// older copy): refused, or — with <c>--new-journal</c> — accepted with the next epoch after the highest the last run
/// reached: a fencing token is never used twice, nor goes backwards.
/// </summary>
internal static class JournalBehind
{
    public static async Task<StartingPoint> CheckAsync(StartingPoint start, SqliteJournal journal, bool accept, TimeProvider time)
    {
        var marker = new EpochMarker(journal.Path);
        var behind = marker.Behind(start.States);
        if (behind.Count == 0) return start;
        string which = string.Join(", ", behind.Select(b => $"{b.State.Name} at epoch {b.State.Epoch}, the last run reached {b.Reached}"));
        if (!accept)
            throw new StartupException(
                $"the journal {journal.Path} knows less than the last run did ({which}; recorded in {marker.Path}): it was deleted, " +
                "replaced or restored from an older copy, and starting on it would route to the config's primary at an epoch already used. " +
                "Put the right journal back, or check which member is the primary now and start with --new-journal (each epoch then starts after the last run's)");

        DateTimeOffset now = time.GetUtcNow();
        var reached = behind.ToDictionary(b => b.State.Name, b => b.Reached);
        var states = start.States.Select(s => reached.TryGetValue(s.Name, out long epoch) ? s with { Epoch = epoch + 1 } : s).ToList();
        await journal.AppendAsync([.. states.Where(s => reached.ContainsKey(s.Name)).Select(s => Snapshots.Of(s) with
        {
            Time = now,
            Reason = $"--new-journal: {s.Name} starts at epoch {s.Epoch}, after the {reached[s.Name]} the last run reached, on a journal that knew less",
        })]);
        return start with { States = states };
    }
}
