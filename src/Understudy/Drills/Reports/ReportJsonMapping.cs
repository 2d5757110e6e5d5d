using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>Core records ⇄ report.json documents, field by field, so the file format moves only on purpose.</summary>
internal static class ReportJsonMapping
{
    public static ReportDoc ToDoc(DrillReport r) => new(
        ReportJson.SchemaVersion, r.Name, r.Description, r.Verdict, r.AbortReason,
        r.RtoMs, r.RecoveryTimeMs, r.AvailabilityPct, r.LostAcknowledgedWrites,
        r.Environment, r.Service, r.Controller, r.StartedAt, r.EndedAt, r.FaultAt, r.RecoveredAt,
        new TargetsDoc(r.Targets.RtoMs, r.Targets.RecoveryMs, r.Targets.RpoWrites, r.Targets.RpoWindowMs, r.Targets.AvailabilityPct, r.Targets.RtoTolerancePct),
        r.Theoretical is { } t ? new TheoreticalDoc(t.Ms, t.Formula) : null,
        [.. r.Criteria.Select(c => new CriterionDoc(c.Name, c.Passed, c.Detail))],
        [.. r.Probes.Select(ToDoc)],
        [.. r.Steps.Select(s => new StepDoc(s.Phase, s.Step, s.Expected, s.Actual, s.Start, s.End, s.Ok))],
        [.. r.Phases.Select(p => new PhaseDoc(p.Name, p.At, p.DurationMs, p.SinceFaultMs))],
        [.. r.Events.Select(e => new EventDoc(e.Time, e.Type, e.Member, e.Epoch, e.Actor, e.Reason))],
        [.. r.Configuration.Select(kv => new ConfigEntryDoc(kv.Key, kv.Value))],
        r.Issues, r.DrillFile, ToDoc(r.FirstBroken),
        r.Load.Count == 0 ? null : [.. r.Load.Select(l => new LoadDoc(l.Name, l.Source,
            [.. l.Windows.Select(w => new LoadWindowDoc(w.Name, w.Seconds, w.Attempts, w.Succeeded, w.ThroughputPerS, w.ErrorRatePct, w.P50Ms, w.P99Ms))],
            ToDoc(l.FirstFailure), l.Outcome, l.Output))]);

    private static FirstFailureDoc? ToDoc(FirstFailure? f) => f is null ? null : new(f.Source, f.At, f.AfterFaultMs, f.Kind, f.Detail);

    private static FirstFailure? FromDoc(FirstFailureDoc? f) => f is null ? null : new(f.Source, f.At, f.AfterFaultMs, f.Kind, f.Detail);

    private static ProbeDoc ToDoc(ProbeResult p) => new(
        p.Name, p.Kind, p.Target, p.Attempts, p.Failed,
        // Sorted so the same counts always serialize to the same bytes.
        new SortedDictionary<string, int>(p.ErrorsByKind.ToDictionary(), StringComparer.Ordinal),
        p.AvailabilityPct, p.RtoMs, p.RecoveryTimeMs, p.FirstFailureAt, p.RecoveredAt, p.UnexpectedErrors,
        new LatencyDoc(ToDoc(p.Before), ToDoc(p.During), ToDoc(p.After)),
        p.Writes?.Lost,
        p.Writes is { } w ? new WritesDoc(w.Acknowledged, w.ReadBack, w.Lost, w.FirstLostAckAt, w.LastLostAckAt, w.WindowMs) : null,
        p.DnsTail is { } d ? new DnsTailDoc(d.Resolver, d.OldAddress, d.From, d.FromAt, d.LastOldAddressAt, d.TailMs, d.AttemptsToOldAddressAfterSwitch) : null);

    private static LatencyPartDoc ToDoc(LatencySummary l) => new(l.Count, l.P50Ms, l.P95Ms, l.P99Ms);

    public static DrillReport FromDoc(ReportDoc d) => new(
        d.Name, d.Description, d.Environment, d.Service, d.Controller,
        d.StartedAt, d.EndedAt, d.FaultAt, d.RecoveredAt, d.Verdict, d.AbortReason,
        new ReportTargets(d.Targets.RtoMs, d.Targets.RecoveryMs, d.Targets.RpoWrites, d.Targets.RpoWindowMs, d.Targets.AvailabilityPct, d.Targets.RtoTolerancePct),
        d.RtoMs, d.RecoveryTimeMs, d.AvailabilityPct, d.LostAcknowledgedWrites,
        [.. Items(d.Criteria, "criteria").Select(c => new Criterion(c.Name, c.Passed, c.Detail))],
        [.. Items(d.Probes, "probes").Select(FromDoc)],
        [.. Items(d.Steps, "steps").Select(s => new StepRecord(s.Phase, s.Step, s.Expected, s.Actual, s.Start, s.End, s.Ok))],
        d.TheoreticalRto is { } t ? new TheoreticalRto(t.Ms, t.Formula) : null,
        [.. Items(d.Phases, "phases").Select(p => new PhaseRecord(p.Name, p.At, p.DurationMs, p.SinceFaultMs))],
        [.. Items(d.Events, "events").Select(e => new ControllerEventRecord(e.Time, e.Type, e.Member, e.Epoch, e.Actor, e.Reason))],
        [.. Items(d.Configuration, "configuration").Select(c => new KeyValuePair<string, string>(c.Key, c.Value))],
        [.. Items(d.Issues, "issues")],
        d.DrillFile)
    {
        FirstBroken = FromDoc(d.FirstBroken),
        Load = [.. (d.Load ?? []).Select(l => new LoadResult(l.Name, l.Source,
            [.. l.Windows.Select(w => new LoadWindow(w.Name, w.Seconds, w.Attempts, w.Succeeded, w.ThroughputPerS, w.ErrorRatePct, w.P50Ms, w.P99Ms))],
            FromDoc(l.FirstFailure), l.Outcome, l.Output))],
    };

    private static ProbeResult FromDoc(ProbeDoc p) => new(
        p.Name, p.Kind, p.Target, p.Attempts, p.Failed, p.ErrorsByKind.ToDictionary(StringComparer.Ordinal),
        p.AvailabilityPct, p.RtoMs, p.RecoveryTimeMs, p.FirstFailureAt, p.RecoveredAt, p.UnexpectedErrors,
        FromDoc(p.Latency.Before), FromDoc(p.Latency.During), FromDoc(p.Latency.After),
        p.Writes is { } w ? new WriteLoss(w.Acknowledged, w.ReadBack, w.Lost, w.FirstLostAckAt, w.LastLostAckAt) : null,
        p.DnsTail is { } d ? new DnsTail(d.Resolver, d.OldAddress, d.From, d.FromAt, d.LastOldAddressAt, d.DnsTailMs, d.AttemptsToOldAddressAfterSwitch) : null);

    private static LatencySummary FromDoc(LatencyPartDoc l) => new(l.Count, l.P50Ms, l.P95Ms, l.P99Ms);

    /// <summary>
    /// The serializer checks that lists are present but not what is inside them: a null element would
    /// otherwise surface later as a NullReferenceException with no hint of where the file is wrong.
    /// </summary>
    private static IEnumerable<T> Items<T>(IReadOnlyList<T?> list, string field) where T : class
    {
        for (int i = 0; i < list.Count; i++)
            yield return list[i] ?? throw new ReportException($"$.{field}[{i}] is null; expected {(typeof(T) == typeof(string) ? "a string" : "an object")}");
    }
}
