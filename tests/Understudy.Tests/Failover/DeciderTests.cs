using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

public class DeciderTests
{
    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    private static ServiceState FailPrimaryDown(ServiceState s, string primary, double from, int fall = 3)
    {
        for (int i = 0; i < fall; i++) s = Decider.Decide(s, Fail(primary, At(from + i * 0.2)), At(from + i * 0.2)).State;
        return s;
    }

    [Fact]
    public void Decide_PrimaryFailedFallTimes_FencesPrimaryAndAdvancesEpoch()
    {
        var s = AllUp(Http(), T0);

        // First two failures: counted, nothing decided.
        var early = Walk(ref s, (Fail("web-a", At(1)), At(1)), (Fail("web-a", At(1.2)), At(1.2)));
        Assert.All(early, d => Assert.False(d.Changed));
        Assert.Equal("web-a failed a check (connection refused); 2 of 3 toward down", early[1].Reason);

        // Third failure: down, failover decided, epoch 2, nothing routable until traffic switches.
        var d = Decider.Decide(s, Fail("web-a", At(1.4)), At(1.4));
        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], d.Types());
        Assert.Equal<Step>([new FenceMember("web-a", "web-b", 2)], d.Plan);
        Assert.Equal("web-a failed 3 checks in a row (last: connection refused); primary web-a is down; failing over to web-b, the first healthy candidate", d.Reason);
        Assert.Equal(2, d.State.Epoch);
        Assert.Equal("web-b", d.State.Primary);
        Assert.Null(d.State.Routable);
        Assert.True(d.State.Members["web-a"].NeedsRejoin);
        Assert.Equal(new TrafficRoute(2, null, Hold: true, TargetDown: false), Routing.For(d.State));
        Assert.Equal([1L, 2L], d.Events.Select(e => e.Epoch));
    }

    [Fact]
    public void Decide_FenceCompleted_SwitchesTrafficAndCompletesWithAlert()
    {
        var s = FailPrimaryDown(AllUp(Http(), T0), "web-a", 1);

        var d = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "2 connections closed"), At(1.5));

        Assert.Equal([EventTypes.MemberFenced, EventTypes.TrafficSwitched, EventTypes.FailoverCompleted, EventTypes.AlertRaised], d.Types());
        Assert.Empty(d.Plan);
        Assert.Equal("web-b", d.State.Routable);
        Assert.Null(d.State.Failover);
        Assert.Equal(At(1.5), d.State.LastFailoverAt);
        Assert.Equal(new TrafficRoute(2, "web-b", Hold: false, TargetDown: false), Routing.For(d.State));
        Assert.Equal(100L, d.Events[2].Details["duration_ms"]);
    }

    [Fact]
    public void Decide_WithHooks_CompletesOnlyAfterHooksRanAfterTheSwitch()
    {
        var s = FailPrimaryDown(AllUp(Http(hooks: true), T0), "web-a", 1);

        var switched = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "closed"), At(1.5));
        Assert.Equal([EventTypes.MemberFenced, EventTypes.TrafficSwitched], switched.Types());
        Assert.Equal<Step>([new RunHooks(HookTrigger.OnFailover, "web-a", "web-b", 2)], switched.Plan);
        Assert.Equal("web-b", switched.State.Routable);

        var done = Decider.Decide(switched.State, new StepCompleted(switched.Plan[0], false, "1 of 1 hooks failed"), At(3));
        Assert.Equal([EventTypes.FailoverCompleted, EventTypes.AlertRaised], done.Types());
    }

    [Fact]
    public void Decide_RecoveredOldPrimary_StaysOutOfTrafficEvenWithoutCooldown()
    {
        var s = FailPrimaryDown(AllUp(Http(cooldown: TimeSpan.Zero), T0), "web-a", 1);
        s = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "closed"), At(1.5)).State;

        var back = Walk(ref s, (Ok("web-a", At(10)), At(10)), (Ok("web-a", At(10.2)), At(10.2)), (Ok("web-a", At(30)), At(30)));
        Assert.Equal([EventTypes.MemberUp], back[1].Types());
        Assert.Equal("web-b", s.Routable);

        // The new primary fails: the recovered old primary is still no candidate.
        var d = Walk(ref s, (Fail("web-b", At(31)), At(31)), (Fail("web-b", At(31.2)), At(31.2)), (Fail("web-b", At(31.4)), At(31.4)))[2];
        Assert.Equal([EventTypes.MemberDown, EventTypes.ServiceDegraded, EventTypes.AlertRaised], d.Types());
        Assert.Equal("web-b", d.State.Primary);
        Assert.Equal(2, d.State.Epoch);
        Assert.Empty(d.Plan);
    }

    [Fact]
    public void Decide_WithinCooldown_HoldsAndSaysWhyThenFailsOverWhenItEnds()
    {
        var s = FailPrimaryDown(AllUp(Http(members: 3), T0), "web-a", 1);
        s = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "closed"), At(2)).State;

        s = FailPrimaryDown(s, "web-b", 10);
        Assert.Equal("primary web-b is down but the cooldown after the last failover lasts until 2026-11-22T12:00:32.0000000+00:00", s.HoldReason);
        Assert.Equal("web-b", s.Routable);

        var quiet = Decider.Decide(s, Fail("web-b", At(20)), At(20));
        Assert.False(quiet.Changed);

        var after = Decider.Decide(s, Fail("web-b", At(32.1)), At(32.1));
        Assert.Equal([EventTypes.FailoverStarted], after.Types());
        Assert.Equal("web-c", after.State.Primary);
        Assert.Equal(3, after.State.Epoch);
    }

    [Fact]
    public void Decide_CooldownHold_IsJournaledWithAnAlert()
    {
        var s = FailPrimaryDown(AllUp(Http(members: 3), T0), "web-a", 1);
        s = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "closed"), At(2)).State;
        s = FailPrimaryDown(s, "web-b", 10, fall: 2);

        var d = Decider.Decide(s, Fail("web-b", At(10.4)), At(10.4));

        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverHeld, EventTypes.AlertRaised], d.Types());
    }

    [Fact]
    public void Decide_NoHealthyStandby_DegradesAndAlertsOnce()
    {
        var s = ServiceState.Initial(Http());
        s = Decider.Decide(s, Ok("web-a", T0), T0).State;
        s = Decider.Decide(s, Fail("web-b", T0), T0).State;

        var d = Walk(ref s, (Fail("web-a", At(1)), At(1)), (Fail("web-a", At(1.2)), At(1.2)), (Fail("web-a", At(1.4)), At(1.4)), (Fail("web-a", At(1.6)), At(1.6)));

        Assert.Equal([EventTypes.MemberDown, EventTypes.ServiceDegraded, EventTypes.AlertRaised], d[2].Types());
        Assert.Equal("web-a failed 3 checks in a row (last: connection refused); primary web-a is down and no standby can take over (web-b: it has not passed a check yet); nothing promoted", d[2].Reason);
        Assert.False(d[3].Changed);
        Assert.True(s.Degraded);
        Assert.Equal(1, s.Epoch);
        Assert.Equal(new TrafficRoute(1, "web-a", Hold: false, TargetDown: true), Routing.For(s));
    }

    [Fact]
    public void Decide_StandbyRecoversWhileDegraded_FailsOverThen()
    {
        var s = ServiceState.Initial(Http(rise: 2));
        s = Decider.Decide(s, Ok("web-a", T0), T0).State;
        s = FailPrimaryDown(s, "web-a", 1);
        Assert.True(s.Degraded);

        var d = Decider.Decide(s, Ok("web-b", At(5)), At(5));

        Assert.Equal([EventTypes.MemberUp, EventTypes.FailoverStarted], d.Types());
        Assert.False(d.State.Degraded);
    }

    [Fact]
    public void Decide_ManualMode_OnlyRaisesEventAndRoutesFailFast()
    {
        var s = FailPrimaryDown(AllUp(Http(mode: FailoverMode.Manual), T0), "web-a", 1, fall: 2);

        var d = Decider.Decide(s, Fail("web-a", At(2)), At(2));

        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverHeld, EventTypes.AlertRaised], d.Types());
        Assert.Empty(d.Plan);
        Assert.Equal(1, d.State.Epoch);
        Assert.Equal(new TrafficRoute(1, "web-a", Hold: false, TargetDown: true), Routing.For(d.State));
    }

    [Fact]
    public void Decide_PrimaryBackWhileHeld_RestoresServiceWithoutFailover()
    {
        var s = FailPrimaryDown(AllUp(Http(mode: FailoverMode.Manual), T0), "web-a", 1);

        var d = Walk(ref s, (Ok("web-a", At(5)), At(5)), (Ok("web-a", At(5.2)), At(5.2)))[1];

        Assert.Equal([EventTypes.MemberUp, EventTypes.ServiceRestored], d.Types());
        Assert.Null(s.HoldReason);
        Assert.Equal(new TrafficRoute(1, "web-a", false, false), Routing.For(s));
    }

    [Fact]
    public void Decide_ProxyCouldNotConnect_SuspectsHoldsAndConfirmsAtOnce()
    {
        var s = AllUp(Http(), T0);

        var d = Decider.Decide(s, ProxyRefused("web-a", At(1)), At(1));
        Assert.Equal("the proxy could not connect to web-a (connection refused); confirming with active checks now", d.Reason);

        Assert.Equal([EventTypes.MemberSuspected], d.Types());
        Assert.Equal<Step>([new ConfirmMember("web-a", 2, 1)], d.Plan);
        Assert.Equal(new TrafficRoute(1, "web-a", Hold: true, TargetDown: false), Routing.For(d.State));

        // A second refused connect while confirming adds nothing.
        var again = Decider.Decide(d.State, ProxyRefused("web-a", At(1.001)), At(1.001));
        Assert.False(again.Changed);
        Assert.Equal(d.State, again.State);

        // Two confirming failures complete the fall: failover, without waiting for the interval.
        s = again.State;
        var confirmed = Walk(ref s, (Fail("web-a", At(1.002)), At(1.002)), (Fail("web-a", At(1.003)), At(1.003)));
        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], confirmed[1].Types());
    }

    [Fact]
    public void Decide_ConfirmingCheckPasses_ReleasesHeldConnectionsToPrimary()
    {
        var s = AllUp(Http(), T0);
        s = Decider.Decide(s, ProxyRefused("web-a", At(1)), At(1)).State;

        var d = Decider.Decide(s, Ok("web-a", At(1.01)), At(1.01));

        Assert.False(d.State.Members["web-a"].Suspected);
        Assert.Equal(new TrafficRoute(1, "web-a", false, false), Routing.For(d.State));
        Assert.Equal(0, d.State.Members["web-a"].Tracker.Failures);
    }

    /// <summary>Issue 13 item 5: a reconnect storm timed the proxy's connects out and a live primary was failed over.</summary>
    [Fact]
    public void Decide_ProxyConnectTimedOut_OnlyStartsConfirmationThatNeedsAWholeFall()
    {
        var s = AllUp(Http(), T0);

        var d = Decider.Decide(s, ProxyTimedOut("web-a", At(1)), At(1));

        Assert.Equal([EventTypes.MemberSuspected], d.Types());
        Assert.Equal<Step>([new ConfirmMember("web-a", 3, 1)], d.Plan);
        Assert.Equal(0, d.State.Members["web-a"].Tracker.Failures);
        // Two confirming failures are not a fall; the third is.
        s = d.State;
        var confirming = Walk(ref s, (Fail("web-a", At(1.2)), At(1.2)), (Fail("web-a", At(1.4)), At(1.4)), (Fail("web-a", At(1.6)), At(1.6)));
        Assert.Equal(1, confirming[1].State.Epoch);
        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], confirming[2].Types());
    }

    [Fact]
    public void Decide_ProxyRefusedWithFallOne_NeverFailsOverWithoutAnActiveCheck()
    {
        var s = AllUp(Http(fall: 1), T0);
        for (int i = 0; i < 10; i++) s = Decider.Decide(s, ProxyRefused("web-a", At(1 + i)), At(1 + i)).State;

        Assert.Equal(1, s.Epoch);
        Assert.Equal(Health.Up, s.PrimaryMember.Health);
    }

    [Fact]
    public void Decide_Candidates_HighestPriorityThenConfigOrder()
    {
        var s = FailPrimaryDown(AllUp(Http(members: 4, priorities: [("web-d", 5), ("web-c", 5)]), T0), "web-a", 1);
        Assert.Equal("web-c", s.Primary);
    }

    [Fact]
    public void Decide_StandbyNeverChecked_IsNoCandidate()
    {
        var s = ServiceState.Initial(Http(members: 3));
        s = Decider.Decide(s, Ok("web-a", T0), T0).State;
        s = Decider.Decide(s, Ok("web-c", T0), T0).State;

        s = FailPrimaryDown(s, "web-a", 1);

        Assert.Equal("web-c", s.Primary);
    }

    [Fact]
    public void Decide_StaleStepOutcome_IsIgnored()
    {
        var s = FailPrimaryDown(AllUp(Http(), T0), "web-a", 1);

        var d = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 1), true, "closed"), At(2));

        Assert.False(d.Changed);
        Assert.Same(s, d.State);
        Assert.StartsWith("ignored the outcome of FenceMember for epoch 1", d.Reason);
    }

    [Fact]
    public void Decide_FenceFailed_RoutesNothingAndAlerts()
    {
        var s = FailPrimaryDown(AllUp(Http(), T0), "web-a", 1);

        var d = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), false, "hook exited 1"), At(2));

        Assert.Equal([EventTypes.FailoverFailed, EventTypes.AlertRaised], d.Types());
        Assert.Null(d.State.Routable);
        Assert.True(d.State.Degraded);
        Assert.Equal(new TrafficRoute(2, null, false, false), Routing.For(d.State));
    }

    [Fact]
    public void Decide_UnknownMember_IsIgnored() =>
        Assert.False(Decider.Decide(AllUp(Http(), T0), Fail("web-z", At(1)), At(1)).Changed);
}
