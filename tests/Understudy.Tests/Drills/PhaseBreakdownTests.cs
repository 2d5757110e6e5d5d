using Understudy.Core.Drills;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Drills;

public class PhaseBreakdownTests
{
    private static ControllerEventRecord E(string type, int ms) => new(T0.AddMilliseconds(ms), type, "web-a", 2, "controller", "r");

    [Fact]
    public void From_AFailoverInTheJournal_GivesEachPhaseItsDuration()
    {
        ControllerEventRecord[] events = [E(EventTypes.MemberDown, -500), E(EventTypes.MemberSuspected, 20), E(EventTypes.MemberDown, 40),
            E(EventTypes.FailoverStarted, 41), E(EventTypes.MemberFenced, 60), E(EventTypes.TrafficSwitched, 61), E(EventTypes.FailoverCompleted, 90)];
        ProbeSample[] samples = [new(1, T0.AddMilliseconds(30), T0.AddMilliseconds(75), true, ErrorKind.None), new(2, T0.AddMilliseconds(50), T0.AddMilliseconds(70), true, ErrorKind.None)];

        var phases = PhaseBreakdown.From(T0, events, samples);

        Assert.Equal(["detection", "decision", "fencing", "promotion", "traffic switch", "first client success"], phases.Select(p => p.Name));
        Assert.Equal([40.0, 1, 19, null, 1, 9], phases.Select(p => p.DurationMs));
        Assert.Equal([40.0, 41, 60, null, 61, 70], phases.Select(p => p.SinceFaultMs));
    }

    [Fact]
    public void From_NoFailover_LeavesLaterPhasesEmpty()
    {
        var phases = PhaseBreakdown.From(T0, [E(EventTypes.MemberDown, 100), E(EventTypes.ServiceDegraded, 100)], []);

        Assert.Equal(100, phases[0].DurationMs);
        Assert.All(phases.Skip(1), p => Assert.Null(p.At));
    }
}
