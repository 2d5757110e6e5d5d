using Understudy.Core.Journal;

namespace Understudy.Core.Drills;

/// <summary>One run of a drill as a trend shows it: its verdict and figures, and whether it was judged a regression.</summary>
public sealed record TrendRun(DrillCompleted Run, DrillRegressed? Regression);

/// <summary>
/// The recent runs of one drill (a service and a drill name), oldest first, with the targets of its newest run
/// that sent them: the line a reader compares the runs with is the one the drill is judged by today.
/// </summary>
public sealed record DrillTrend(string Service, string Name, IReadOnlyList<TrendRun> Runs)
{
    public double? RtoTargetMs => Runs.Select(r => r.Run.RtoTargetMs).LastOrDefault(t => t is not null);

    public double? RecoveryTargetMs => Runs.Select(r => r.Run.RecoveryTargetMs).LastOrDefault(t => t is not null);

    /// <summary>
    /// Groups journaled drill.completed and drill.regressed events into one trend per drill, keeping each drill's
    /// last <paramref name="runs"/> runs; trends are ordered by service, then name. A regression belongs to the
    /// run of its drill journaled just before it (the controller journals it right after the run it judges).
    /// </summary>
    public static IReadOnlyList<DrillTrend> From(IEnumerable<JournalEvent> events, int runs)
    {
        var ordered = events.OrderBy(e => e.Id).ToList();
        var regressionOf = new Dictionary<long, DrillRegressed>();
        var lastRun = new Dictionary<(string, string), long>();
        foreach (JournalEvent e in ordered)
        {
            if (e is DrillCompleted c) lastRun[(c.Service, c.Name)] = c.Id;
            else if (e is DrillRegressed r && lastRun.TryGetValue((r.Service, r.Name), out long id)) regressionOf[id] = r;
        }
        return [.. ordered.OfType<DrillCompleted>()
            .GroupBy(c => (c.Service, c.Name))
            .OrderBy(g => g.Key.Service, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => new DrillTrend(g.Key.Service, g.Key.Name,
                [.. g.TakeLast(runs).Select(c => new TrendRun(c, regressionOf.GetValueOrDefault(c.Id)))]))];
    }
}
