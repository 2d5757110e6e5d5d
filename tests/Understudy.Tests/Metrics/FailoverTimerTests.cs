using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Metrics;
using Understudy.Tests.Incidents;
using static Understudy.Tests.Incidents.IncidentJournals;

namespace Understudy.Tests.Metrics;

public class FailoverTimerTests
{
    private static List<ChangeTimes> Ended(IEnumerable<JournalEvent> events)
    {
        var timer = new FailoverTimer();
        return [.. events.Select(timer.Observe).OfType<ChangeTimes>()];
    }

    private static (string, double)[] Phases(ChangeTimes c) => [.. c.Phases().Select(p => (p.Phase, Math.Round(p.Seconds, 6)))];

    [Fact]
    public void Observe_AutomaticFailover_TimesEachPhaseFromTheSuspicionThatStartedIt()
    {
        ChangeTimes failover = Assert.Single(Ended(IncidentJournals.AutomaticFailover()));

        Assert.Equal((RequestKind.Failover, true), (failover.Kind, failover.Completed));
        // Suspected at 0 (the older suspicion cleared), started 41, fenced 60, switched 75, completed 5200 ms.
        Assert.Equal([("detection", 0.041), ("fence", 0.019), ("switch", 0.015), ("total", 5.159)], Phases(failover));
        Assert.Equal(0.075, failover.RtoEstimateSeconds!.Value, 6);
    }

    [Fact]
    public void Observe_SuspicionLongBeforeTheDown_FirstSignIsTheDown()
    {
        ChangeTimes failover = Assert.Single(Ended([
            E(-200_000, 1, EventTypes.MemberSuspected, "web-a", "the proxy could not connect to web-a"),
            E(0, 1, EventTypes.MemberDown, "web-a", "web-a failed 3 checks in a row"),
            .. CrashFrom(10)]));

        Assert.Equal(("detection", 0.01), Phases(failover)[0]);
    }

    [Fact]
    public void Observe_MemberUpBetween_ForgetsEarlierSigns()
    {
        ChangeTimes failover = Assert.Single(Ended([
            E(-60_000, 1, EventTypes.MemberDown, "web-a", "web-a failed 3 checks in a row"),
            E(-50_000, 1, EventTypes.MemberUp, "web-a", "web-a passed 2 checks in a row"),
            E(-1_000, 1, EventTypes.MemberDown, "web-a", "web-a failed 3 checks in a row"),
            .. CrashFrom(0)]));

        Assert.Equal(("detection", 1.0), Phases(failover)[0]);
    }

    [Fact]
    public void Observe_ManualFailover_DetectionIncludesTheWaitForPeople()
    {
        ChangeTimes failover = Assert.Single(Ended(IncidentJournals.ManualFailover()));

        Assert.Equal([("detection", 90.0), ("fence", 0.02), ("switch", 0.03), ("total", 0.05)], Phases(failover));
        Assert.Equal(90.05, failover.RtoEstimateSeconds!.Value, 6);
    }

    [Fact]
    public void Observe_Switchovers_AbandonedOneHasNoPhasesAndCompletedOneDrains()
    {
        var ended = Ended(IncidentJournals.Switchover());

        Assert.Equal([(RequestKind.Switchover, false), (RequestKind.Switchover, true)], ended.Select(c => (c.Kind, c.Completed)));
        Assert.Empty(Phases(ended[0]));
        Assert.Equal([("drain", 2.0), ("switch", 0.001), ("total", 2.1)], Phases(ended[1]));
        Assert.Null(ended[1].RtoEstimateSeconds);
    }

    [Fact]
    public void Observe_PostgresFailover_SwitchIsTimedFromThePromotion()
    {
        ChangeTimes failover = Assert.Single(Ended([
            E(0, 1, EventTypes.MemberDown, "web-a", "web-a failed 2 checks in a row"),
            E(5, 2, EventTypes.FailoverStarted, "web-b", "failing over", Actors.Controller, ("from", "web-a"), ("to", "web-b")),
            E(25, 2, EventTypes.MemberFenced, "web-a", "fenced"),
            E(225, 2, EventTypes.MemberPromoted, "web-b", "web-b left recovery"),
            E(230, 2, EventTypes.TrafficSwitched, "web-b", "traffic now goes to web-b"),
            E(300, 2, EventTypes.FailoverCompleted, "web-b", "completed")]));

        Assert.Equal([("detection", 0.005), ("fence", 0.02), ("promote", 0.2), ("switch", 0.005), ("total", 0.295)], Phases(failover));
    }

    [Fact]
    public void Observe_FailedFailover_HasPhasesButNoTotal()
    {
        ChangeTimes failover = Assert.Single(Ended([
            E(0, 1, EventTypes.MemberDown, "web-a", "down"),
            E(0, 2, EventTypes.FailoverStarted, "web-b", "failing over", Actors.Controller, ("from", "web-a"), ("to", "web-b")),
            E(30, 2, EventTypes.MemberFenced, "web-a", "fenced"),
            E(530, 2, EventTypes.FailoverFailed, "web-b", "web-b went down before traffic was switched to it")]));

        Assert.False(failover.Completed);
        Assert.Equal([("detection", 0.0), ("fence", 0.03)], Phases(failover));
        Assert.Null(failover.RtoEstimateSeconds);
    }

    [Fact]
    public void Observe_FailoverResumedAfterARestart_IsNotTimed() =>
        Assert.Empty(Ended([
            E(0, 2, EventTypes.ControllerStarted, null, "controller started"),
            E(1, 2, EventTypes.FailoverResumed, "web-b", "resuming the failover to web-b"),
            E(20, 2, EventTypes.TrafficSwitched, "web-b", "traffic now goes to web-b"),
            E(21, 2, EventTypes.FailoverCompleted, "web-b", "completed")]));

    /// <summary>An http failover of web from web-a to web-b starting <paramref name="ms"/> after T0, 5 ms a step.</summary>
    private static JournalEvent[] CrashFrom(int ms) =>
    [
        E(ms, 2, EventTypes.FailoverStarted, "web-b", "failing over", Actors.Controller, ("from", "web-a"), ("to", "web-b")),
        E(ms + 5, 2, EventTypes.MemberFenced, "web-a", "fenced"),
        E(ms + 10, 2, EventTypes.TrafficSwitched, "web-b", "traffic now goes to web-b"),
        E(ms + 15, 2, EventTypes.FailoverCompleted, "web-b", "completed"),
    ];
}
