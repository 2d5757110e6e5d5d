using System.Globalization;

namespace Understudy.Core.Drills;

/// <summary>What the verdict rules look at, besides the probes' results.</summary>
/// <param name="AlertChecks">Each alert_received verify step: passed or not, and why.</param>
/// <param name="ManualSteps">Drill steps of kind manual, and operator-actor events in the controller's journal.</param>
/// <param name="FailedVerifications">Other verify steps that failed, described.</param>
public sealed record VerdictInputs(
    DrillTargets Targets,
    IReadOnlyList<ProbeResult> Probes,
    bool FaultInjected,
    IReadOnlyList<(bool Passed, string Detail)> AlertChecks,
    IReadOnlyList<string> ManualSteps,
    IReadOnlyList<string> FailedVerifications,
    string? AbortReason,
    IReadOnlyList<string>? FailedRollback = null);

/// <summary>
/// The verdict rules of common failover test runbooks (DESIGN.md): fail if clients never recovered, if RTO or recovery time exceeds
/// its target by more than the tolerance, if lost acknowledged writes exceed the RPO, if availability is
/// under target, if an expected alert did not arrive, if a manual step was needed, on unexpected errors or
/// a failed verification. Aborted is its own verdict and wins.
/// </summary>
public static class Verdicts
{
    public static (Verdict Verdict, IReadOnlyList<Criterion> Criteria) Judge(VerdictInputs x)
    {
        var c = new List<Criterion>();
        var t = x.Targets;
        double tolerance = 1 + t.RtoTolerance;
        if (x.FaultInjected)
        {
            // Whatever the targets, clients that never came back within recovery.timeout fail the drill.
            var stuck = x.Probes.Where(p => p.RecoveredAt is null).Select(p => p.Name).ToList();
            c.Add(new Criterion("recovered", stuck.Count == 0, stuck.Count == 0
                ? "every probe had its sustained run of successes after the fault"
                : "no sustained recovery within recovery.timeout: " + string.Join(", ", stuck)));
        }
        if (x.FaultInjected && t.Rto is { } rto)
            c.Add(Bound("rto", "RTO", WorstOrNever(x.Probes.Select(p => p.RtoMs)), rto, tolerance, t.RtoTolerance));
        if (x.FaultInjected && (t.Recovery ?? t.Rto) is { } recovery)
            c.Add(Bound("recovery_time", "recovery time", WorstOrNever(x.Probes.Select(p => p.RecoveryTimeMs)), recovery, tolerance, t.RtoTolerance));
        if (t.Rpo is { } rpo && x.Probes.Where(p => p.Writes is not null).ToList() is { Count: > 0 } writers)
            c.Add(Rpo(rpo, writers));
        if (t.AvailabilityPct is { } wanted)
        {
            double worst = x.Probes.Count == 0 ? 0 : x.Probes.Min(p => p.AvailabilityPct);
            c.Add(new Criterion("availability", worst >= wanted, $"{Pct(worst)} % (worst probe) against a target of {Pct(wanted)} %"));
        }
        foreach (var (passed, detail) in x.AlertChecks) c.Add(new Criterion("alert_received", passed, detail));
        c.Add(new Criterion("no_manual_step", x.ManualSteps.Count == 0,
            x.ManualSteps.Count == 0 ? "no manual step was needed" : "manual steps: " + string.Join("; ", x.ManualSteps)));
        int unexpected = x.Probes.Sum(p => p.UnexpectedErrors);
        c.Add(new Criterion("no_unexpected_errors", unexpected == 0, unexpected == 0
            ? "no failures outside the outage, none of kind other"
            : $"{unexpected} failed attempts outside [fault, recovery] or of kind other: " +
              string.Join(", ", x.Probes.Where(p => p.UnexpectedErrors > 0).Select(p => $"{p.Name} {p.UnexpectedErrors}"))));
        foreach (string failed in x.FailedVerifications) c.Add(new Criterion("verification", false, failed));
        if (x.FailedRollback is { Count: > 0 } rollback)
            c.Add(new Criterion("rollback", false, "the environment may not be back as it was: " + string.Join("; ", rollback)));

        Verdict verdict = x.AbortReason is not null ? Verdict.Aborted : c.All(k => k.Passed) ? Verdict.Passed : Verdict.Failed;
        return (verdict, c);
    }

    private static double? WorstOrNever(IEnumerable<double?> values)
    {
        var list = values.ToList();
        return list.Count == 0 || list.Any(v => v is null) ? null : list.Max();
    }

    private static Criterion Bound(string name, string label, double? measuredMs, TimeSpan target, double tolerance, double tolerancePct)
    {
        double limit = target.TotalMilliseconds * tolerance;
        string targetText = $"target {Ms(target.TotalMilliseconds)} ms + {Pct(tolerancePct * 100)} % tolerance = {Ms(limit)} ms";
        return measuredMs is { } m
            ? new Criterion(name, m <= limit, $"{label} {Ms(m)} ms (worst probe), {targetText}")
            : new Criterion(name, false, $"a probe never recovered; {targetText}");
    }

    private static Criterion Rpo(Topology.RpoTarget rpo, List<ProbeResult> writers)
    {
        int lost = writers.Sum(p => p.Writes!.Lost);
        double window = writers.Max(p => p.Writes!.WindowMs ?? 0);
        return rpo.Writes is { } maxWrites
            ? new Criterion("rpo", lost <= maxWrites, $"{lost} acknowledged writes lost, target at most {maxWrites}")
            // One lost write spans no time between acknowledgements, but it is still data lost: a 0 s window allows none.
            : new Criterion("rpo", lost == 0 || (rpo.Window!.Value > TimeSpan.Zero && window <= rpo.Window!.Value.TotalMilliseconds),
                $"{lost} acknowledged writes lost spanning {Ms(window)} ms, target at most {Ms(rpo.Window!.Value.TotalMilliseconds)} ms");
    }

    private static string Ms(double ms) => ms.ToString("0", CultureInfo.InvariantCulture);

    private static string Pct(double pct) => pct.ToString("0.###", CultureInfo.InvariantCulture);
}
