namespace Understudy.Core.Journal;

/// <summary>
/// An alert the decider raised; the notifier delivers it. <paramref name="Once"/> names a lasting condition
/// (a second writable server) alerted on once until it clears.
/// </summary>
public sealed record AlertRaised(string Severity, string? Once = null) : JournalEvent;

/// <summary>Network trouble toward the event's member, injected through this instance's API for a drill.</summary>
public sealed record FaultInjected(string Kind = "", DateTimeOffset? Until = null, double LatencyMs = 0, double JitterMs = 0, string InjectedBy = "") : JournalEvent, IInformational;

public sealed record FaultCleared(string ClearedBy = "") : JournalEvent, IInformational;

/// <summary>
/// A drill reported its verdict to the controller, with report.json's figures under report.json's names. The
/// figures are optional: drills journaled before they were sent, and drills that measured nothing, have none.
/// The targets are the drill's own (report.json's <c>targets.rto_ms</c> and <c>targets.recovery_ms</c>), so a
/// trend can be drawn against the target each run was judged by.
/// </summary>
public sealed record DrillCompleted(
    string Name, string Verdict, double? RtoMs = null, string? Report = null,
    double? RecoveryTimeMs = null, int? LostAcknowledgedWrites = null, double? AvailabilityPct = null,
    double? RtoTargetMs = null, double? RecoveryTargetMs = null) : JournalEvent, IInformational;

/// <summary>
/// A drill run was worse than its recent past (<see cref="Drills.DrillRegression"/>): <paramref name="Measure"/> (report.json's
/// field name) was <paramref name="Value"/> against a <paramref name="Baseline"/> (the median) of <paramref name="Runs"/> passed runs,
/// <paramref name="Limit"/> the most it could have been.
/// </summary>
public sealed record DrillRegressed(string Name, string Measure, double Value, double Baseline, double Limit, int Runs, string? Report = null) : JournalEvent, IInformational;

/// <summary>A notification of event <paramref name="EventId"/> reached <paramref name="Channel"/>.</summary>
public sealed record AlertDelivered(string Channel, string Kind, long EventId, int Attempts) : JournalEvent, IInformational;

/// <summary>A notification could not be delivered after its retries.</summary>
public sealed record AlertDeliveryFailed(string Channel, string Kind, long EventId, int Attempts, string Error) : JournalEvent, IInformational;
