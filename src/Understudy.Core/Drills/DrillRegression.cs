using Understudy.Core.Journal;

namespace Understudy.Core.Drills;

/// <summary>
/// Whether a drill run is worse than its own recent past (DESIGN, drill programme): its recovery time above
/// max(1.2 × median, median + 100 ms) of the last five passed runs of the same drill, once three exist; or acknowledged
/// writes lost where none of those runs lost any. Recovery time, not RTO: behind a holding proxy RTO is often 0.
/// Only a passed run is judged: a worse run that failed is already an error.
/// </summary>
public static class DrillRegression
{
    public const int Window = 5, AtLeast = 3;
    public const double Factor = 1.2, MarginMs = 100;

    /// <param name="run">The run just reported.</param>
    /// <param name="earlier">Earlier runs of the same drill (same service and name), in any order.</param>
    public static DrillRegressed? Judge(DrillCompleted run, IEnumerable<DrillCompleted> earlier)
    {
        // A failed run is alerted as an error already; an aborted one measured nothing.
        if (run.Verdict != "passed") return null;
        List<DrillCompleted> passed = [.. earlier.Where(e => e.Verdict == "passed").OrderByDescending(e => e.Time).ThenByDescending(e => e.Id).Take(Window)];
        return Slower(run, passed) ?? Lost(run, passed);
    }

    private static DrillRegressed? Slower(DrillCompleted run, List<DrillCompleted> passed)
    {
        double[] times = [.. passed.Select(p => p.RecoveryTimeMs).OfType<double>()];
        if (run.RecoveryTimeMs is not { } now || times.Length < AtLeast) return null;
        double median = Median(times), limit = Math.Max(Factor * median, median + MarginMs);
        if (now <= limit) return null;
        return new DrillRegressed(run.Name, "recovery_time_ms", now, median, limit, times.Length, run.Report)
        {
            Reason = $"drill '{run.Name}' regressed: recovery took {now:0} ms, above {limit:0} ms "
                   + $"(the median of its last {times.Length} passed runs is {median:0} ms; the limit is max(1.2 × median, median + 100 ms))",
        };
    }

    private static DrillRegressed? Lost(DrillCompleted run, List<DrillCompleted> passed)
    {
        int[] counts = [.. passed.Select(p => p.LostAcknowledgedWrites).OfType<int>()];
        if (run.LostAcknowledgedWrites is not (> 0 and var lost) || counts.Length == 0 || counts.Any(c => c > 0)) return null;
        return new DrillRegressed(run.Name, "lost_acknowledged_writes", lost, 0, 0, counts.Length, run.Report)
        {
            Reason = $"drill '{run.Name}' regressed: {lost} acknowledged write{(lost == 1 ? " was" : "s were")} lost, where its last {counts.Length} passed run{(counts.Length == 1 ? "" : "s")} lost none",
        };
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
