using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

// The shape of report.json, kept apart from the Core records on purpose: renaming a Core property must not
// rename a field that users' scripts read. Property names become snake_case (RtoMs → rto_ms); the names are
// pinned by tests and documented in docs/report-json.md. Field order here is the order in the file.

internal sealed record ReportDoc(
    int SchemaVersion,
    string Name,
    string? Description,
    Verdict Verdict,
    string? AbortReason,
    double? RtoMs,
    double? RecoveryTimeMs,
    double AvailabilityPct,
    int? LostAcknowledgedWrites,
    string Environment,
    string? Service,
    string? Controller,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    DateTimeOffset? FaultAt,
    DateTimeOffset? RecoveredAt,
    TargetsDoc Targets,
    TheoreticalDoc? TheoreticalRto,
    IReadOnlyList<CriterionDoc> Criteria,
    IReadOnlyList<ProbeDoc> Probes,
    IReadOnlyList<StepDoc> Steps,
    IReadOnlyList<PhaseDoc> Phases,
    IReadOnlyList<EventDoc> Events,
    IReadOnlyList<ConfigEntryDoc> Configuration,
    IReadOnlyList<string> Issues,
    string DrillFile,
    // Optional, so that reports written before they existed still read; load is written only by drills with one.
    FirstFailureDoc? FirstBroken = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<LoadDoc>? Load = null);

internal sealed record FirstFailureDoc(string Source, DateTimeOffset At, double AfterFaultMs, ErrorKind Kind, string? Detail);

internal sealed record LoadWindowDoc(string Name, double Seconds, int Attempts, int Succeeded, double ThroughputPerS, double ErrorRatePct, double? P50Ms, double? P99Ms);

internal sealed record LoadDoc(string Name, string Source, IReadOnlyList<LoadWindowDoc> Windows, FirstFailureDoc? FirstFailure, string? Outcome, string? Output);

internal sealed record TargetsDoc(double? RtoMs, double? RecoveryMs, int? RpoWrites, double? RpoWindowMs, double? AvailabilityPct, double RtoTolerancePct);

internal sealed record TheoreticalDoc(double Ms, string Formula);

internal sealed record CriterionDoc(string Name, bool Passed, string Detail);

internal sealed record ProbeDoc(
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
    LatencyDoc Latency,
    int? LostAcknowledgedWrites,
    WritesDoc? Writes,
    DnsTailDoc? DnsTail = null);

internal sealed record LatencyDoc(LatencyPartDoc Before, LatencyPartDoc During, LatencyPartDoc After);

internal sealed record LatencyPartDoc(int Count, double? P50Ms, double? P95Ms, double? P99Ms);

/// <summary><see cref="WindowMs"/> is written for readers; on read it is recomputed from the two times.</summary>
internal sealed record WritesDoc(int Acknowledged, int ReadBack, int Lost, DateTimeOffset? FirstLostAckAt, DateTimeOffset? LastLostAckAt, double? WindowMs);

/// <summary>Null for a probe without a resolver; optional on read, as reports written before it have no such field.</summary>
internal sealed record DnsTailDoc(
    string Resolver,
    string? OldAddress,
    string From,
    DateTimeOffset FromAt,
    DateTimeOffset? LastOldAddressAt,
    double? DnsTailMs,
    int AttemptsToOldAddressAfterSwitch);

internal sealed record StepDoc(string Phase, string Step, string Expected, string Actual, DateTimeOffset Start, DateTimeOffset End, bool Ok);

internal sealed record PhaseDoc(string Name, DateTimeOffset? At, double? DurationMs, double? SinceFaultMs);

internal sealed record EventDoc(DateTimeOffset Time, string Type, string? Member, long Epoch, string Actor, string Reason);

/// <summary>A list of pairs rather than an object: configuration keys may repeat and their order is meaningful.</summary>
internal sealed record ConfigEntryDoc(string Key, string Value);
