using System.Collections.Immutable;
using Understudy.Core.Drills;
using Understudy.Drills.Reports;

namespace Understudy.Tests.Drills;

public class LoadMeasurementTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);
    private static readonly LoadSpec Browse = new("browse", 10, 4, new ProbeSpec("browse", ProbeKind.Http, "http://127.0.0.1:9000/", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)), []);

    /// <summary>One attempt every 100 ms for 6 s: ok with 5 ms latency, except those starting in [2 s, 3 s), which fail (refused) after 1 ms.</summary>
    private static List<ProbeSample> Samples() =>
    [
        .. Enumerable.Range(0, 60).Select(i =>
        {
            DateTimeOffset start = T0.AddMilliseconds(i * 100);
            bool down = i is >= 20 and < 30;
            return new ProbeSample(i, start, start.AddMilliseconds(down ? 1 : 5), !down, down ? ErrorKind.Refused : ErrorKind.None, Detail: down ? "connection refused" : null);
        }),
    ];

    [Fact]
    public void Measure_FaultAt2sRecoveredAt4s_ThreeWindowsWithTheirThroughputAndErrorRate()
    {
        LoadResult r = LoadMeasurement.Measure(new LoadRecord(Browse, Samples()), T0, T0.AddSeconds(6), T0.AddSeconds(2), T0.AddSeconds(4));

        Assert.Equal(
        [
            new LoadWindow("before", 2, 20, 20, 10, 0, 5, 5),
            new LoadWindow("during", 2, 20, 10, 5, 50, 5, 5),
            new LoadWindow("after", 2, 20, 20, 10, 0, 5, 5),
        ], r.Windows);
        Assert.Equal(new FirstFailure("browse", T0.AddSeconds(2), 0, ErrorKind.Refused, "connection refused"), r.FirstFailure);
    }

    [Fact]
    public void Measure_NoFault_OneWindowAndNothingBroke()
    {
        LoadResult r = LoadMeasurement.Measure(new LoadRecord(Browse, Samples()), T0, T0.AddSeconds(6), null, null);

        Assert.Equal(["before"], r.Windows.Select(w => w.Name));
        Assert.Equal((60, 50), (r.Windows[0].Attempts, r.Windows[0].Succeeded));
        Assert.Null(r.FirstFailure);
    }

    [Fact]
    public void Measure_ExternalTool_NoWindowsItsOutcomeAndOutputKept()
    {
        var tool = new LoadSpec("bench", 0, 0, null, ["pgbench", "-T", "600"]);

        LoadResult r = LoadMeasurement.Measure(new LoadRecord(tool, [], "ran 12 s, stopped with the probes", "tps = 812\n"), T0, T0.AddSeconds(12), T0.AddSeconds(2), T0.AddSeconds(4));

        Assert.Equal(("pgbench -T 600", 0, "ran 12 s, stopped with the probes", "tps = 812\n"), (r.Source, r.Windows.Count, r.Outcome, r.Output));
    }

    [Fact]
    public void First_AcrossSources_TheEarliestFailureFromTheFaultOn()
    {
        var probe = new List<ProbeSample> { new(0, T0.AddMilliseconds(1500), T0.AddMilliseconds(1501), false, ErrorKind.Timeout), new(1, T0.AddMilliseconds(2300), T0.AddMilliseconds(2400), false, ErrorKind.Reset) };

        FirstFailure? first = LoadMeasurement.First([("web", probe), ("browse", Samples())], T0.AddSeconds(2));

        Assert.Equal(("browse", 0.0, ErrorKind.Refused), (first!.Source, first.AfterFaultMs, first.Kind));
        Assert.Equal(("web", 300.0), LoadMeasurement.First([("web", probe)], T0.AddSeconds(2)) is { } f ? (f.Source, f.AfterFaultMs) : default);
    }
}
