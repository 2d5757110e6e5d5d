using System.Collections.Immutable;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Drills;

/// <summary>The DNS tail: how long a probe resolving through a caching resolver kept reaching the old address.</summary>
public class DnsTailTests
{
    private const string Old = "127.0.0.1", New = "127.0.0.2", Resolver = "127.0.0.1:5353";

    private static ProbeSample S(long seq, double ms, string? address, bool ok = true) =>
        new(seq, T0.AddMilliseconds(ms), T0.AddMilliseconds(ms + 1), ok, ok ? ErrorKind.None : ErrorKind.Refused, ok ? address : null,
            ok ? "connected" : $"{address}: connection refused", address);

    /// <summary>Old address before the fault at +1000 ms; then whatever <paramref name="after"/> adds.</summary>
    private static List<ProbeSample> Run(params ProbeSample[] after) =>
        [S(0, 0, Old), S(1, 100, Old), S(2, 200, New), S(3, 300, Old), .. after];

    [Fact]
    public void Compute_NoOldAddressAttemptAfterTheSwitch_IsZero()
    {
        DnsTail t = DnsTailCalculation.Compute(Resolver, Run(S(10, 1_000, Old), S(11, 1_600, New), S(12, 1_700, New)), T0.AddMilliseconds(1_000), T0.AddMilliseconds(1_500));

        Assert.Equal(new DnsTail(Resolver, Old, DnsTailCalculation.FromSwitch, T0.AddMilliseconds(1_500), null, 0, 0), t);
    }

    [Fact]
    public void Compute_SeveralOldAddressAttemptsAfterTheSwitch_RunsToTheStartOfTheLastOneFailedOrNot()
    {
        var samples = Run(S(10, 1_600, Old), S(11, 1_700, New), S(12, 1_800, Old), S(13, 4_700, Old, ok: false), S(14, 4_800, New), S(15, 4_900, null, ok: false));

        DnsTail t = DnsTailCalculation.Compute(Resolver, samples, T0.AddMilliseconds(1_000), T0.AddMilliseconds(1_500));

        Assert.Equal(Old, t.OldAddress);
        Assert.Equal(DnsTailCalculation.FromSwitch, t.From);
        Assert.Equal(3_200, t.TailMs);
        Assert.Equal(T0.AddMilliseconds(4_700), t.LastOldAddressAt);
        Assert.Equal(3, t.AttemptsToOldAddressAfterSwitch);
    }

    [Fact]
    public void Compute_NoSwitchEvent_MeasuresFromTheFault()
    {
        DnsTail t = DnsTailCalculation.Compute(Resolver, Run(S(10, 1_200, Old), S(11, 2_000, New)), T0.AddMilliseconds(1_000), switchedAt: null);

        Assert.Equal(new DnsTail(Resolver, Old, DnsTailCalculation.FromFault, T0.AddMilliseconds(1_000), T0.AddMilliseconds(1_200), 200, 1), t);
    }

    [Fact]
    public void Compute_NoSuccessfulAttemptWithAnAddressBeforeTheFault_HasNoOldAddressAndNoTail()
    {
        DnsTail t = DnsTailCalculation.Compute(Resolver, [S(0, 0, Old, ok: false), S(1, 2_000, Old)], T0.AddMilliseconds(1_000), null);

        Assert.Null(t.OldAddress);
        Assert.Null(t.TailMs);
        Assert.Equal(0, t.AttemptsToOldAddressAfterSwitch);
    }

    [Fact]
    public void OldAddress_IsTheMostCommonSuccessfulAddressBeforeTheFault()
    {
        // Failures to New do not count; the tie between the two successful addresses goes to the one reached last.
        Assert.Equal(Old, DnsTailCalculation.OldAddress(Run(), T0.AddMilliseconds(1_000)));
        Assert.Equal(New, DnsTailCalculation.OldAddress([S(0, 0, Old), S(1, 10, New), S(2, 20, New, ok: false)], T0.AddMilliseconds(1_000)));
    }

    [Fact]
    public void Build_AProbeWithAResolver_MeasuresFromTheJournalsTrafficSwitchedElseTheFault()
    {
        ProbeSpec dns = new("db", ProbeKind.Tcp, "db.example.test:5432", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), Resolver: new HostPort("127.0.0.1", 5353));
        ProbeSpec plain = new("web", ProbeKind.Tcp, "127.0.0.1:80", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        var samples = Run(S(10, 1_100, Old, ok: false), S(11, 1_400, Old), S(12, 2_500, New));
        ControllerEventRecord E(string type, int ms) => new(T0.AddMilliseconds(ms), type, "db-b", 2, "controller", "r");
        ControllerEventRecord[] failover = [E(EventTypes.MemberDown, 1_050), E(EventTypes.FailoverStarted, 1_060), E(EventTypes.MemberFenced, 1_070),
            E(EventTypes.TrafficSwitched, 1_200)];

        DrillReport switched = ReportAssembly.Build(Record([new(dns, samples, null), new(plain, samples, null)], failover));
        DrillReport noSwitch = ReportAssembly.Build(Record([new(dns, samples, null)], failover[..^1]));

        Assert.Equal(new DnsTail(Resolver, Old, DnsTailCalculation.FromSwitch, T0.AddMilliseconds(1_200), T0.AddMilliseconds(1_400), 200, 1), switched.Probes[0].DnsTail);
        Assert.Null(switched.Probes[1].DnsTail);
        Assert.Equal(new DnsTail(Resolver, Old, DnsTailCalculation.FromFault, T0.AddMilliseconds(1_000), T0.AddMilliseconds(1_400), 400, 2), noSwitch.Probes[0].DnsTail);
    }

    private static DrillRecord Record(IReadOnlyList<ProbeRecord> probes, IReadOnlyList<ControllerEventRecord> events)
    {
        var spec = new DrillSpec("dns", null, DrillEnvironment.Staging, "db", null, new DrillTargets(null, null, null, null, 0.2),
            [.. probes.Select(p => p.Spec)], new SteadyStateSpec(TimeSpan.Zero, 0), [], new RecoverySpec(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)),
            [], [], new StopConditions(null), "name: dns", "drill.yaml");
        return new DrillRecord(spec, T0, T0.AddSeconds(5), T0.AddMilliseconds(1_000), null, null, null, spec.Targets, probes, [], events, [], null, [], []);
    }
}
