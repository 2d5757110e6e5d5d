namespace Understudy.Core.Drills;

public enum Verdict { Passed, Failed, Aborted }

/// <summary>One step as run: what was expected and what happened, with timestamps.</summary>
/// <param name="Phase">steady_state, fault, observe, verify or rollback.</param>
public sealed record StepRecord(string Phase, string Step, string Expected, string Actual, DateTimeOffset Start, DateTimeOffset End, bool Ok);

/// <summary>Latency of successful attempts in one part of the drill; null percentiles when there were none.</summary>
public sealed record LatencySummary(int Count, double? P50Ms, double? P95Ms, double? P99Ms)
{
    public static readonly LatencySummary Empty = new(0, null, null, null);
}

/// <summary>Acknowledged writes missing afterwards (RPO), and the time window their acknowledgements span.</summary>
public sealed record WriteLoss(int Acknowledged, int ReadBack, int Lost, DateTimeOffset? FirstLostAckAt, DateTimeOffset? LastLostAckAt)
{
    public double? WindowMs => FirstLostAckAt is { } a && LastLostAckAt is { } b ? (b - a).TotalMilliseconds : null;
}

/// <summary>What one probe saw. <see cref="RtoMs"/> null: never recovered; 0: nothing failed.</summary>
public sealed record ProbeResult(
    string Name,
    string Kind,
    string Target,
    int Attempts,
    int Failed,
    IReadOnlyDictionary<string, int> ErrorsByKind,
    double AvailabilityPct,
    double? RtoMs,
    double? RecoveryTimeMs,
    DateTimeOffset? FirstFailureAt,
    DateTimeOffset? RecoveredAt,
    int UnexpectedErrors,
    LatencySummary Before,
    LatencySummary During,
    LatencySummary After,
    WriteLoss? Writes,
    DnsTail? DnsTail = null);

public sealed record Criterion(string Name, bool Passed, string Detail);

/// <summary>A phase of the controller's failover, from its journal: when it ended and how long it took.</summary>
public sealed record PhaseRecord(string Name, DateTimeOffset? At, double? DurationMs, double? SinceFaultMs);

/// <summary>The bound the configuration promises, and how it is computed.</summary>
public sealed record TheoreticalRto(double Ms, string Formula)
{
    /// <summary>Detection by active checks bounds an outage: interval × fall + timeout (no promotion for http/tcp).</summary>
    public static TheoreticalRto FromChecks(double intervalMs, double timeoutMs, int fall) =>
        new(intervalMs * fall + timeoutMs, FormattableString.Invariant($"interval {intervalMs:0} ms × fall {fall} + timeout {timeoutMs:0} ms = {intervalMs * fall + timeoutMs:0} ms"));
}

public sealed record ControllerEventRecord(DateTimeOffset Time, string Type, string? Member, long Epoch, string Actor, string Reason);

/// <summary>
/// Everything a drill report shows except the raw samples (kept in samples.csv). Renderers are pure
/// functions of this record and the samples, so a stored run re-renders identically.
/// </summary>
public sealed record DrillReport(
    string Name,
    string? Description,
    string Environment,
    string? Service,
    string? Controller,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    DateTimeOffset? FaultAt,
    DateTimeOffset? RecoveredAt,
    Verdict Verdict,
    string? AbortReason,
    ReportTargets Targets,
    double? RtoMs,
    double? RecoveryTimeMs,
    double AvailabilityPct,
    int? LostAcknowledgedWrites,
    IReadOnlyList<Criterion> Criteria,
    IReadOnlyList<ProbeResult> Probes,
    IReadOnlyList<StepRecord> Steps,
    TheoreticalRto? Theoretical,
    IReadOnlyList<PhaseRecord> Phases,
    IReadOnlyList<ControllerEventRecord> Events,
    IReadOnlyList<KeyValuePair<string, string>> Configuration,
    IReadOnlyList<string> Issues,
    string DrillFile)
{
    /// <summary>Each load of the drill's <c>load</c> section, per window.</summary>
    public IReadOnlyList<LoadResult> Load { get; init; } = [];

    /// <summary>The first failed attempt of any probe or load from the fault on: what broke first.</summary>
    public FirstFailure? FirstBroken { get; init; }
}

/// <summary>Targets as reported: milliseconds and plain numbers, so report.json needs no duration syntax.</summary>
public sealed record ReportTargets(double? RtoMs, double? RecoveryMs, int? RpoWrites, double? RpoWindowMs, double? AvailabilityPct, double RtoTolerancePct);
