using System.Globalization;

namespace Understudy.Core.Drills;

/// <summary>
/// The instants that split a drill: its start and end, the fault's effect (<see cref="FaultAt"/>), when
/// the fault step began (<see cref="FaultBegan"/>: earlier for a command that takes a while to act), and
/// the recovery. A recovery counts only if its sustained run starts within <see cref="RecoveryTimeout"/>.
/// </summary>
public sealed record DrillWindow(DateTimeOffset Start, DateTimeOffset End, DateTimeOffset? FaultAt, DateTimeOffset? RecoveredAt, TimeSpan StableFor,
    TimeSpan RecoveryTimeout, DateTimeOffset? FaultBegan = null)
{
    public DateTimeOffset? OutageFrom => FaultBegan ?? FaultAt;
}

/// <summary>
/// What one probe saw, with DESIGN.md's definitions:
/// RTO runs from the first failed attempt (one that ended after the fault, so a timeout straddling the
/// fault counts) to the end of the first success of the sustained run that follows; 0 when nothing failed
/// before that run. A run that starts after <c>recovery.timeout</c> does not count: never recovered.
/// Recovery time runs from the fault to the end of the first successful attempt started after it.
/// Availability is successful attempts over attempts started in the drill window. Unexpected errors are
/// failures outside [fault, recovery] or of kind <c>other</c>.
/// </summary>
public static class ProbeMeasurement
{
    public static ProbeResult Measure(ProbeSpec probe, IReadOnlyList<ProbeSample> samples, DrillWindow w, WriteLoss? writes = null)
    {
        var inWindow = samples.Where(s => s.Start >= w.Start && s.Start <= w.End).OrderBy(s => s.Start).ToList();
        int failed = inWindow.Count(s => !s.Ok);
        double availability = inWindow.Count == 0 ? 0 : 100.0 * (inWindow.Count - failed) / inWindow.Count;

        ProbeSample? firstFailure = null;
        double? rto = null, recovery = null;
        DateTimeOffset? recoveredAt = null;
        if (w.FaultAt is { } f)
        {
            ProbeSample? run = RecoveryRun(inWindow, w.OutageFrom!.Value, w.StableFor, w.RecoveryTimeout);
            firstFailure = FirstFailure(inWindow, w.OutageFrom!.Value, before: run?.Start);
            recoveredAt = run?.End;
            rto = run is null ? null : firstFailure is null ? 0 : (run.End - firstFailure.Start).TotalMilliseconds;
            recovery = run is null ? null : inWindow.FirstOrDefault(s => s.Ok && s.Start >= f) is { } r ? (r.End - f).TotalMilliseconds : null;
        }

        DateTimeOffset outageEnd = w.RecoveredAt ?? w.End;
        int unexpected = inWindow.Count(s => !s.Ok && (s.Error == ErrorKind.Other || w.OutageFrom is not { } ft || s.End < ft || s.Start > outageEnd));

        return new ProbeResult(
            probe.Name, KindName(probe.Kind), probe.Shown, inWindow.Count, failed,
            inWindow.Where(s => !s.Ok).GroupBy(s => ErrorName(s.Error)).ToDictionary(g => g.Key, g => g.Count()),
            availability, rto, recovery, firstFailure?.Start, recoveredAt, unexpected,
            Latency(inWindow.Where(s => w.OutageFrom is not { } ft || s.Start < ft)),
            Latency(inWindow.Where(s => w.OutageFrom is { } ft && s.Start >= ft && s.Start <= outageEnd)),
            Latency(inWindow.Where(s => w.FaultAt is not null && s.Start > outageEnd)),
            writes);
    }

    /// <summary>
    /// The first failed attempt of the outage: it ended after the fault began (one straddling the fault
    /// counts) and started before the recovery. A failure after the recovery is not a new outage.
    /// </summary>
    public static ProbeSample? FirstFailure(IEnumerable<ProbeSample> samples, DateTimeOffset faultBegan, DateTimeOffset? before = null) =>
        samples.Where(s => !s.Ok && s.End >= faultBegan && (before is null || s.Start < before)).MinBy(s => s.Start);

    /// <summary>
    /// The first attempt of the first sustained run after the fault began that starts within the recovery
    /// timeout; its end is when the probe recovered. Null: not recovered in time.
    /// </summary>
    public static ProbeSample? RecoveryRun(IReadOnlyList<ProbeSample> samples, DateTimeOffset faultBegan, TimeSpan stableFor, TimeSpan timeout) =>
        SustainedRecovery.FirstOfRun(samples, faultBegan, stableFor) is { } run && run.Start <= faultBegan + timeout ? run : null;

    /// <summary>Nearest-rank percentiles of successful attempts' latency.</summary>
    public static LatencySummary Latency(IEnumerable<ProbeSample> samples)
    {
        double[] ms = [.. samples.Where(s => s.Ok).Select(s => s.Latency.TotalMilliseconds).Order()];
        if (ms.Length == 0) return LatencySummary.Empty;
        double P(double p) => ms[Math.Clamp((int)Math.Ceiling(p / 100 * ms.Length) - 1, 0, ms.Length - 1)];
        return new LatencySummary(ms.Length, P(50), P(95), P(99));
    }

    public static string KindName(ProbeKind kind) => kind switch
    {
        ProbeKind.Http => "http",
        ProbeKind.Tcp => "tcp",
        ProbeKind.HttpWrite => "http_write",
        ProbeKind.SqlWrite => "sql_write",
        ProbeKind.RedisWrite => "redis_write",
        ProbeKind.Redis => "redis",
        ProbeKind.Sql => "sql",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>snake_case names as reports and samples.csv write them.</summary>
    public static string ErrorName(ErrorKind kind) => kind switch
    {
        ErrorKind.HttpStatus => "http_status",
        _ => kind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
