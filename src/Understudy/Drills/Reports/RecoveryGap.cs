using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>
/// The sentence under the recovery table: how far what clients measured is from what the configuration
/// promises, and where the difference most likely went. A drill exists to find that gap, so the report
/// says it in words rather than leaving the reader to subtract.
/// </summary>
internal static class RecoveryGap
{
    public static string Explain(DrillReport r)
    {
        if (r.FaultAt is null) return "No fault was injected, so there is no recovery to compare.";
        // With a holding proxy nothing fails (RTO 0) and the outage is the wait: compare that instead.
        bool held = r.RtoMs == 0 && r.RecoveryTimeMs > 0;
        double? measured = held ? r.RecoveryTimeMs : r.RtoMs;
        string what = held ? "recovery time" : "RTO";
        string prefix = held ? "No attempt failed (the proxy held connections), so the outage shows as recovery time and latency. " : "";
        TheoreticalRto? t = r.Theoretical;
        string theory = t is null ? "" : $"the theoretical {Fmt.Ms(t.Ms)} ({t.Formula})";

        if (measured is not { } m)
            return prefix + "Clients never recovered within the drill, so the measured time is unbounded" + (t is null ? "." : $" against {theory}.");
        if (t is null)
            return prefix + $"Measured {what} {Fmt.Ms(m)}; no theoretical bound was computed (the drill is not linked to a controller service).";
        double gap = m - t.Ms;
        if (Math.Abs(gap) < 1)
            return prefix + $"The measured {what} of {Fmt.Ms(m)} matches {theory}.";
        if (gap < 0)
            return prefix + $"The measured {what} of {Fmt.Ms(m)} is {Fmt.Ms(-gap)} under {theory}: detection and the switch finished before the worst case the configuration allows.";
        string pct = t.Ms > 0 ? $", {Fmt.Pct(Math.Round(gap / t.Ms * 100, 1))} more" : "";
        return prefix + $"The measured {what} of {Fmt.Ms(m)} is {Fmt.Ms(gap)} over {theory}{pct}: time the formula leaves out{Longest(r)}.";
    }

    /// <summary>The longest phase is where to look first for time the formula does not account for.</summary>
    private static string Longest(DrillReport r) =>
        r.Phases.Where(p => p.DurationMs is not null).MaxBy(p => p.DurationMs) is { } p
            ? $"; the longest phase was {p.Name} ({Fmt.Ms(p.DurationMs)})"
            : " (no phase breakdown to show where)";
}
