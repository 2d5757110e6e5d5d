using Understudy.Core.Journal;

namespace Understudy.Core.Drills;

/// <summary>One probe's raw record: its spec, every attempt, and (for write probes) the read-back comparison.</summary>
public sealed record ProbeRecord(ProbeSpec Spec, IReadOnlyList<ProbeSample> Samples, WriteLoss? Writes);

/// <summary>Everything a drill run recorded; <see cref="ReportAssembly.Build"/> turns it into the report.</summary>
/// <param name="Targets">The effective targets: the drill's, else the linked service's.</param>
/// <param name="Problems">Things that went wrong around the measurement (a failed read-back, an unreachable journal).</param>
/// <param name="FaultBegan">When the fault step began, if before its effect (a command that takes a while).</param>
public sealed record DrillRecord(
    DrillSpec Spec,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    DateTimeOffset? FaultAt,
    DateTimeOffset? RecoveredAt,
    string? AbortReason,
    DateTimeOffset? FaultBegan,
    DrillTargets Targets,
    IReadOnlyList<ProbeRecord> Probes,
    IReadOnlyList<StepRecord> Steps,
    IReadOnlyList<ControllerEventRecord> Events,
    IReadOnlyList<KeyValuePair<string, string>> Configuration,
    TheoreticalRto? Theoretical,
    IReadOnlyList<string> ManualSteps,
    IReadOnlyList<string> Problems)
{
    public IReadOnlyList<LoadRecord> Load { get; init; } = [];
}

/// <summary>Builds the report from a run's record: measurements, phases, criteria, verdict and issues. Pure.</summary>
public static class ReportAssembly
{
    public static DrillReport Build(DrillRecord r)
    {
        var window = new DrillWindow(r.StartedAt, r.EndedAt, r.FaultAt, r.RecoveredAt, r.Spec.Recovery.StableFor, r.Spec.Recovery.Timeout, r.FaultBegan);
        DateTimeOffset? switchedAt = r.FaultAt is { } f ? PhaseBreakdown.TrafficSwitchedAt(f, r.Events) : null;
        var probes = r.Probes.Select(p => ProbeMeasurement.Measure(p.Spec, p.Samples, window, p.Writes) with { DnsTail = Tail(p, window, switchedAt) }).ToList();

        var verify = r.Steps.Where(s => s.Phase == "verify").ToList();
        var alerts = verify.Where(s => s.Step.StartsWith("alert_received", StringComparison.Ordinal)).Select(s => (s.Ok, s.Actual)).ToList();
        var failedVerify = verify.Where(s => !s.Ok && !s.Step.StartsWith("alert_received", StringComparison.Ordinal)).Select(s => $"{s.Step}: {s.Actual}").ToList();
        var failedRollback = r.Steps.Where(s => s.Phase == "rollback" && !s.Ok).Select(s => $"{s.Step}: {s.Actual}").ToList();
        var manual = r.ManualSteps.Concat(r.Events
            .Where(e => e.Actor is not (Actors.Controller or Actors.Drill) && e.Time >= r.StartedAt && e.Time <= r.EndedAt)
            .Select(e => $"{e.Actor}: {e.Type} at {e.Time:HH:mm:ss.fff}")).ToList();

        var (verdict, criteria) = Verdicts.Judge(new VerdictInputs(r.Targets, probes, r.FaultAt is not null, alerts, manual, failedVerify, r.AbortReason, failedRollback));

        bool allRecovered = probes.Count > 0 && probes.All(p => p.RecoveredAt is not null);
        var issues = new List<string>();
        if (r.AbortReason is not null) issues.Add($"aborted: {r.AbortReason}");
        if (r.FaultAt is not null && !allRecovered) issues.Add($"clients did not recover within recovery.timeout ({r.Spec.Recovery.Timeout.TotalSeconds:0.###} s)");
        issues.AddRange(r.Steps.Where(s => s.Phase == "fault" && !s.Ok).Select(s => $"fault step failed: {s.Step}: {s.Actual}"));
        issues.AddRange(criteria.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}"));
        issues.AddRange(r.Problems);

        return new DrillReport(
            r.Spec.Name, r.Spec.Description, r.Spec.Environment.ToString().ToLowerInvariant(), r.Spec.Service, r.Spec.Controller?.ToString(),
            r.StartedAt, r.EndedAt, r.FaultAt, allRecovered ? probes.Max(p => p.RecoveredAt) : null,
            verdict, r.AbortReason, Targets(r.Targets),
            r.FaultAt is null ? null : Worst(probes.Select(p => p.RtoMs)),
            r.FaultAt is null ? null : Worst(probes.Select(p => p.RecoveryTimeMs)),
            Availability(probes),
            probes.Any(p => p.Writes is not null) ? probes.Sum(p => p.Writes?.Lost ?? 0) : null,
            criteria, probes, r.Steps, r.Theoretical,
            r.FaultAt is { } fault && r.Events.Count > 0 ? PhaseBreakdown.From(fault, r.Events, r.Probes.SelectMany(p => p.Samples)) : [],
            r.Events, r.Configuration, issues, r.Spec.SourceText)
        {
            Load = [.. r.Load.Select(l => LoadMeasurement.Measure(l, r.StartedAt, r.EndedAt, r.FaultAt, allRecovered ? probes.Max(p => p.RecoveredAt) : null))],
            FirstBroken = (r.FaultBegan ?? r.FaultAt) is { } from
                ? LoadMeasurement.First(r.Probes.Select(p => (p.Spec.Name, p.Samples)).Concat(r.Load.Select(l => (l.Spec.Name, l.Samples))), from)
                : null,
        };
    }

    /// <summary>
    /// A probe with a resolver after a fault: how long it kept reaching the old address after the traffic switch
    /// (else the fault); attempts started in the drill window only. Null for other probes and without a fault.
    /// </summary>
    private static DnsTail? Tail(ProbeRecord p, DrillWindow w, DateTimeOffset? switchedAt) =>
        p.Spec.Resolver is { } resolver && w.OutageFrom is { } fault
            ? DnsTailCalculation.Compute(resolver.ToString(), p.Samples.Where(s => s.Start >= w.Start && s.Start <= w.End), fault, switchedAt)
            : null;

    /// <summary>The largest value; null (never recovered) is worse than any number.</summary>
    private static double? Worst(IEnumerable<double?> values)
    {
        var list = values.ToList();
        return list.Count == 0 || list.Any(v => v is null) ? null : list.Max();
    }

    private static double Availability(List<ProbeResult> probes)
    {
        int attempts = probes.Sum(p => p.Attempts);
        return attempts == 0 ? 0 : 100.0 * (attempts - probes.Sum(p => p.Failed)) / attempts;
    }

    private static ReportTargets Targets(DrillTargets t) => new(
        t.Rto?.TotalMilliseconds, (t.Recovery ?? t.Rto)?.TotalMilliseconds, t.Rpo?.Writes, t.Rpo?.Window?.TotalMilliseconds, t.AvailabilityPct, t.RtoTolerance * 100);
}
