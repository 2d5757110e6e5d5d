using Understudy.PartitionClient;

namespace Understudy.IntegrationTests.Partitions.Checking;

/// <summary>What the checker needs of one run, all of it read after heal and convergence.</summary>
/// <param name="FinalIds">Every id in <c>writes</c> on the final primary.</param>
/// <param name="FaultAt">When the first fault began; the measured window runs from here to <paramref name="End"/>.</param>
/// <param name="End">When the clients were told to stop.</param>
public sealed record RunRecord(
    string Scenario, int Seed, IReadOnlyList<Attempt> Attempts, string FinalPrimary, IReadOnlySet<string> FinalIds,
    int Failovers, DateTimeOffset FaultAt, DateTimeOffset HealAt, DateTimeOffset End);

/// <summary>One row of the checker's table.</summary>
/// <param name="Lost">Acknowledged writes missing on the final primary.</param>
/// <param name="SplitBrain">Writes an older primary acknowledged that began after a newer primary's first acknowledged write ended.</param>
/// <param name="RtoMs">Longest window in the measured window in which no client had a write acknowledged.</param>
/// <param name="WorstClientRtoMs">The same for each client alone, the worst of them (a client on a cut-off host waits the whole fault).</param>
/// <param name="Availability">Acknowledged / attempted, of the attempts begun in the measured window.</param>
/// <param name="UnackedPresent">Attempts the client saw fail whose row is there anyway (committed, answer lost): allowed, counted for the record.</param>
/// <param name="LocalOnly">Commits PostgreSQL answered with success and a WARNING because their wait for the synchronous standby was cancelled (a client's command timeout): on the primary only, so not acknowledged; counted for the record.</param>
/// <param name="Primaries">Acknowledged writes per primary and timeline, in timeline order, e.g. "pg1/1: 412, pg2/2: 220".</param>
public sealed record CheckResult(
    string Scenario, int Seed, int Attempts, int Acked, int Lost, int SplitBrain, int Failovers, double RtoMs, double WorstClientRtoMs,
    double Availability, int UnackedPresent, int LocalOnly, string FinalPrimary, string Primaries, IReadOnlyList<string> LostSample);

public static class Checker
{
    public static CheckResult Check(RunRecord run)
    {
        var acked = run.Attempts.Where(a => a.Ok).ToList();
        var lost = acked.Where(a => !run.FinalIds.Contains(a.Id)).ToList();
        var window = run.Attempts.Where(a => a.Start >= run.FaultAt && a.Start <= run.End).ToList();
        double rto = LongestGap(acked, run.FaultAt, run.End);
        double worst = run.Attempts.Select(a => a.Client).Distinct()
            .Select(c => LongestGap(acked.Where(a => a.Client == c), run.FaultAt, run.End)).DefaultIfEmpty(0).Max();
        var eras = acked.GroupBy(a => (a.Timeline ?? 0, a.Server ?? "?")).OrderBy(g => g.Key).ToList();
        return new CheckResult(
            run.Scenario, run.Seed, window.Count, window.Count(a => a.Ok), lost.Count, SplitBrain(eras), run.Failovers, rto, worst,
            window.Count == 0 ? 0 : (double)window.Count(a => a.Ok) / window.Count,
            run.Attempts.Count(a => !a.Ok && run.FinalIds.Contains(a.Id)), run.Attempts.Count(a => a.CommittedLocallyOnly), run.FinalPrimary,
            string.Join(", ", eras.Select(g => $"{g.Key.Item2}/{g.Key.Item1}: {g.Count()}")),
            [.. lost.Take(5).Select(a => $"{a.Id} acked by {a.Server}/{a.Timeline} at {a.End:HH:mm:ss.fff}")]);
    }

    /// <summary>
    /// For each newer primary (a higher timeline), the writes an older one acknowledged although they began after the
    /// newer one's first acknowledged write had ended: two primaries taking writes at once, as clients saw it.
    /// </summary>
    private static int SplitBrain(IReadOnlyList<IGrouping<(int, string), Attempt>> eras)
    {
        int count = 0;
        for (int k = 1; k < eras.Count; k++)
        {
            DateTimeOffset newerFirst = eras[k].Min(a => a.End);
            count += eras.Take(k).SelectMany(e => e).Count(a => a.Start > newerFirst);
        }
        return count;
    }

    private static double LongestGap(IEnumerable<Attempt> acked, DateTimeOffset from, DateTimeOffset to)
    {
        var ends = acked.Select(a => a.End).Where(t => t > from && t <= to).Order().Prepend(from).Append(to).ToList();
        return ends.Zip(ends.Skip(1), (a, b) => (b - a).TotalMilliseconds).Max();
    }
}
