using Understudy.Core.Drills;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Drills;

public class ProbeMeasurementTests
{
    private static readonly ProbeSpec Probe = new("web", ProbeKind.Http, "http://127.0.0.1:9000/", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1));
    private static readonly TimeSpan Stable = TimeSpan.FromMilliseconds(100);

    private static ProbeSample S(int ms, int latencyMs, bool ok, ErrorKind error = ErrorKind.Refused) =>
        new(ms, T0.AddMilliseconds(ms), T0.AddMilliseconds(ms + latencyMs), ok, ok ? ErrorKind.None : error);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static DrillWindow Window(int faultMs, int? recoveredMs = null, int endMs = 1000, int? timeoutMs = null, int? beganMs = null) =>
        new(T0, T0.AddMilliseconds(endMs), T0.AddMilliseconds(faultMs), recoveredMs is null ? null : T0.AddMilliseconds(recoveredMs.Value), Stable,
            timeoutMs is null ? Timeout : TimeSpan.FromMilliseconds(timeoutMs.Value), beganMs is null ? null : T0.AddMilliseconds(beganMs.Value));

    [Fact]
    public void Measure_NothingFailed_RtoZeroRecoveryIsTheHeldAttempt()
    {
        ProbeSample[] samples = [S(0, 5, true), S(20, 900, true), S(40, 880, true), S(960, 5, true), S(980, 5, true), S(1000, 5, true), S(1100, 5, true)];

        var r = ProbeMeasurement.Measure(Probe, samples, Window(10, endMs: 2000));

        Assert.Equal(0, r.RtoMs);
        Assert.Equal(910, r.RecoveryTimeMs);
        Assert.Equal(100, r.AvailabilityPct);
        Assert.Equal(0, r.Failed);
        Assert.Equal(900, r.During.P99Ms);
    }

    [Fact]
    public void Measure_FlappingRecovery_RtoEndsAtTheFirstSuccessOfTheSustainedRun()
    {
        // A lone success at 60 ms does not end the outage: 80 fails again.
        ProbeSample[] samples = [S(0, 1, true), S(20, 1, false), S(40, 1, false), S(60, 1, true), S(80, 1, false),
                                 S(100, 3, true), S(120, 1, true), S(140, 1, true), S(160, 1, true), S(200, 1, true)];

        var r = ProbeMeasurement.Measure(Probe, samples, Window(10, recoveredMs: 210, endMs: 300));

        Assert.Equal(83, r.RtoMs);
        Assert.Equal(51, r.RecoveryTimeMs);
        Assert.Equal(3, r.Failed);
        Assert.Equal(70, r.AvailabilityPct);
        Assert.Equal(T0.AddMilliseconds(20), r.FirstFailureAt);
        Assert.Equal(T0.AddMilliseconds(103), r.RecoveredAt);
        Assert.Equal(new Dictionary<string, int> { ["refused"] = 3 }, r.ErrorsByKind);
        Assert.Equal(0, r.UnexpectedErrors);
    }

    [Fact]
    public void Measure_NeverRecovered_RtoAndRecoveryNull()
    {
        var r = ProbeMeasurement.Measure(Probe, [S(0, 1, true), S(20, 1, false), S(40, 1, false)], Window(10));

        Assert.Null(r.RtoMs);
        Assert.Null(r.RecoveryTimeMs);
        Assert.Null(r.RecoveredAt);
    }

    [Fact]
    public void Measure_TimeoutStraddlingTheFault_StartsTheOutage()
    {
        // Started before the fault, timed out after it: the outage starts with it.
        ProbeSample[] samples = [S(0, 1, true), S(40, 1000, false, ErrorKind.Timeout), S(1100, 1, true), S(1150, 1, true), S(1210, 1, true)];

        var r = ProbeMeasurement.Measure(Probe, samples, Window(50, recoveredMs: 1300, endMs: 1400));

        Assert.Equal(T0.AddMilliseconds(40), r.FirstFailureAt);
        Assert.Equal(1061, r.RtoMs);
        Assert.Equal(0, r.UnexpectedErrors);
    }

    [Fact]
    public void Measure_FailuresOutsideTheOutageOrOfKindOther_AreUnexpected()
    {
        ProbeSample[] samples = [S(0, 1, false), S(20, 1, true), S(40, 1, false, ErrorKind.Other), S(60, 1, true), S(500, 1, false), S(520, 1, true)];

        var r = ProbeMeasurement.Measure(Probe, samples, Window(30, recoveredMs: 200, endMs: 600));

        Assert.Equal(3, r.UnexpectedErrors);
    }

    [Fact]
    public void Measure_NoFault_HasNoRtoAndEverythingIsBefore()
    {
        var r = ProbeMeasurement.Measure(Probe, [S(0, 2, true), S(20, 4, true)], new DrillWindow(T0, T0.AddSeconds(1), null, null, Stable, Timeout));

        Assert.Null(r.RtoMs);
        Assert.Equal(2, r.Before.Count);
        Assert.Equal(0, r.During.Count);
    }

    [Fact]
    public void Measure_RecoveredOnlyAfterTheRecoveryTimeout_CountsAsNeverRecovered()
    {
        ProbeSample[] samples = [S(0, 1, true), S(20, 1, false), S(40, 1, false), S(400, 1, true), S(450, 1, true), S(520, 1, true)];

        var r = ProbeMeasurement.Measure(Probe, samples, Window(10, endMs: 600, timeoutMs: 300));

        Assert.Null(r.RtoMs);
        Assert.Null(r.RecoveredAt);
    }

    [Fact]
    public void Measure_FailureAfterTheRecovery_IsUnexpectedNotANewOutage()
    {
        // Nothing failed during the outage (held connections); a failure much later is an unexpected error.
        ProbeSample[] samples = [S(0, 1, true), S(20, 300, true), S(40, 1, true), S(100, 1, true), S(160, 1, true), S(500, 1, false), S(520, 1, true)];

        var r = ProbeMeasurement.Measure(Probe, samples, Window(10, recoveredMs: 170, endMs: 600));

        Assert.Equal(0, r.RtoMs);
        Assert.Equal(T0.AddMilliseconds(320), r.RecoveredAt);
        Assert.Equal(1, r.UnexpectedErrors);
    }

    [Fact]
    public void Measure_FaultStepThatTakesAWhile_FailuresDuringItBelongToTheOutage()
    {
        // The command began at 10 ms and took effect by 200 ms; clients failed from 40 ms.
        ProbeSample[] samples = [S(0, 1, true), S(40, 1, false), S(100, 1, false), S(220, 1, true), S(260, 1, true), S(340, 1, true)];

        var r = ProbeMeasurement.Measure(Probe, samples, Window(200, recoveredMs: 350, endMs: 400, beganMs: 10));

        Assert.Equal(0, r.UnexpectedErrors);
        Assert.Equal(T0.AddMilliseconds(40), r.FirstFailureAt);
        Assert.Equal(181, r.RtoMs);
        Assert.Equal(21, r.RecoveryTimeMs);
    }

    [Fact]
    public void Latency_NearestRankPercentiles()
    {
        var samples = Enumerable.Range(1, 100).Select(i => S(i * 10, i, true));

        var l = ProbeMeasurement.Latency(samples);

        Assert.Equal((100, 50.0, 95.0, 99.0), (l.Count, l.P50Ms!.Value, l.P95Ms!.Value, l.P99Ms!.Value));
    }

    [Fact]
    public void WriteLedger_LostWrites_CountedWithTheWindowTheirAcksSpan()
    {
        var acked = new[] { (1L, T0), (2L, T0.AddMilliseconds(10)), (3L, T0.AddMilliseconds(20)), (4L, T0.AddMilliseconds(45)) };

        var loss = WriteLedger.Compare(acked, new HashSet<long> { 1, 3, 99 });

        Assert.Equal((4, 3, 2), (loss.Acknowledged, loss.ReadBack, loss.Lost));
        Assert.Equal(35, loss.WindowMs);
    }
}
