using System.Globalization;

namespace Understudy.Core.Drills;

/// <summary>The instants that split a drill: its start and end, the fault's injection and the recovery (if any).</summary>
public sealed record DrillWindow(DateTimeOffset Start, DateTimeOffset End, DateTimeOffset? FaultAt, DateTimeOffset? RecoveredAt, TimeSpan StableFor);

/// <summary>
/// What one probe saw, with DESIGN.md's definitions:
/// RTO runs from the first failed attempt (one that ended after the fault, so a timeout straddling the
/// fault counts) to the end of the first success of the sustained run that follows; 0 when nothing failed.
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

        ProbeSample? firstFailure = w.FaultAt is { } fault ? FirstFailure(inWindow, fault) : null;
        double? rto = null, recovery = null;
        DateTimeOffset? recoveredAt = null;
        if (w.FaultAt is { } f)
        {
            ProbeSample? run = RecoveryRun(inWindow, f, w.StableFor);
            recoveredAt = run?.End;
            rto = firstFailure is null ? 0 : run is null ? null : (run.End - firstFailure.Start).TotalMilliseconds;
            recovery = inWindow.FirstOrDefault(s => s.Ok && s.Start >= f) is { } r ? (r.End - f).TotalMilliseconds : null;
        }

        DateTimeOffset outageEnd = w.RecoveredAt ?? w.End;
        int unexpected = inWindow.Count(s => !s.Ok && (s.Error == ErrorKind.Other || w.FaultAt is not { } ft || s.End < ft || s.Start > outageEnd));

        return new ProbeResult(
            probe.Name, KindName(probe.Kind), probe.Target, inWindow.Count, failed,
            inWindow.Where(s => !s.Ok).GroupBy(s => ErrorName(s.Error)).ToDictionary(g => g.Key, g => g.Count()),
            availability, rto, recovery, firstFailure?.Start, recoveredAt, unexpected,
            Latency(inWindow.Where(s => w.FaultAt is not { } ft || s.Start < ft)),
            Latency(inWindow.Where(s => w.FaultAt is { } ft && s.Start >= ft && s.Start <= outageEnd)),
            Latency(inWindow.Where(s => w.FaultAt is not null && s.Start > outageEnd)),
            writes);
    }

    /// <summary>The first failed attempt that ended after the fault (one straddling the fault counts).</summary>
    public static ProbeSample? FirstFailure(IEnumerable<ProbeSample> samples, DateTimeOffset fault) =>
        samples.Where(s => !s.Ok && s.End >= fault).MinBy(s => s.Start);

    /// <summary>The first attempt of the sustained run that ends the outage; its end is when the probe recovered.</summary>
    public static ProbeSample? RecoveryRun(IReadOnlyList<ProbeSample> samples, DateTimeOffset fault, TimeSpan stableFor) =>
        SustainedRecovery.FirstOfRun(samples, FirstFailure(samples, fault)?.Start ?? fault, stableFor);

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
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>snake_case names as reports and samples.csv write them.</summary>
    public static string ErrorName(ErrorKind kind) => kind switch
    {
        ErrorKind.HttpStatus => "http_status",
        _ => kind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
