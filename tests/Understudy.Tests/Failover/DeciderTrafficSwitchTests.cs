using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>Issue 15: traffic.haproxy/dns/hooks switch as one step after the new primary is ready; a failed switch is retried, never given up or reversed.</summary>
public class DeciderTrafficSwitchTests
{
    private static readonly HookSpec Patch = new(["kubectl", "patch", "service", "web", "{{new_primary}}"], TimeSpan.FromSeconds(10));

    private static ServiceSpec Spec() => Http() with { Switches = new TrafficSwitchesSpec([], null, [Patch]) };

    private static readonly SwitchTraffic Switch = new("web-a", "web-b", 2);

    /// <summary>web-a failed three times: the failover to web-b fenced it; the switch step is planned.</summary>
    private static ServiceState Switching(out Decision fenced)
    {
        var s = AllUp(Spec(), T0);
        Walk(ref s, (Fail("web-a", At(1)), At(1)), (Fail("web-a", At(1.2)), At(1.2)), (Fail("web-a", At(1.4)), At(1.4)));
        fenced = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "no built-in proxy"), At(1.5));
        return fenced.State;
    }

    [Fact]
    public void Decide_TargetReady_PlansTheSwitchAndHoldsTrafficUntilItIsDone()
    {
        Switching(out Decision d);

        Assert.Equal([EventTypes.MemberFenced, EventTypes.TrafficSwitching], d.Types());
        Assert.Equal<Step>([Switch], d.Plan);
        Assert.Equal("web-b is ready; switching the traffic hook to it (epoch 2)", d.Events[1].Reason);
        Assert.Equal((FailoverStage.Switching, 1), (d.State.Failover?.Stage, d.State.Failover?.SwitchAttempts));
        Assert.Null(d.State.Routable);
        Assert.True(Routing.For(d.State).Hold);
    }

    [Fact]
    public void Decide_SwitchSucceeded_RoutesAndCompletes()
    {
        var s = Switching(out _);

        var d = Decider.Decide(s, new StepCompleted(Switch, true, "traffic hook 1 (kubectl): `kubectl patch service web web-b` exited 0 after 40 ms"), At(1.6));

        Assert.Equal([EventTypes.TrafficSwitched, EventTypes.FailoverCompleted, EventTypes.AlertRaised], d.Types());
        Assert.Contains("exited 0 after 40 ms", d.Events[0].Reason);
        Assert.Equal("web-b", d.State.Routable);
        Assert.Null(d.State.Failover);
    }

    [Fact]
    public void Decide_SwitchFailed_RetriedWithBackoffAlertedOnceAndNeverGivenUp()
    {
        var s = Switching(out _);

        var failed = Decider.Decide(s, new StepCompleted(Switch, false, "traffic hook 1 (kubectl): exited 1: forbidden"), At(2));
        Assert.Equal([EventTypes.TrafficSwitchFailed, EventTypes.AlertRaised], failed.Types());
        Assert.Equal("critical", ((AlertRaised)failed.Events[1]).Severity);
        Assert.Empty(failed.Plan);
        Assert.Equal(At(3), failed.State.Failover?.SwitchRetryAt);
        s = failed.State;

        // Before the retry time nothing happens; at it, the same switch to the same member runs again.
        Assert.Empty(Decider.Decide(s, Ok("web-b", At(2.9)), At(2.9)).Plan);
        var retry = Decider.Decide(s, Ok("web-b", At(3)), At(3));
        Assert.Equal([EventTypes.TrafficSwitching], retry.Types());
        Assert.Equal<Step>([Switch], retry.Plan);
        Assert.Equal(2, retry.State.Failover?.SwitchAttempts);
        s = retry.State;

        // The second failure waits twice as long and pages no one again.
        var second = Decider.Decide(s, new StepCompleted(Switch, false, "still forbidden"), At(3.1));
        Assert.Equal([EventTypes.TrafficSwitchFailed], second.Types());
        Assert.Equal(At(3.1).AddSeconds(2), second.State.Failover?.SwitchRetryAt);
        Assert.Null(second.State.Routable);
        Assert.Equal("web-b", second.State.Primary);
    }

    [Fact]
    public void Decide_TargetDownWhileSwitching_FailsOnceTheHoldIsOver()
    {
        var s = Switching(out _);
        s = Decider.Decide(s, new StepCompleted(Switch, false, "timeout"), At(2)).State;
        s = Walk(ref s, (Fail("web-b", At(2.2)), At(2.2)), (Fail("web-b", At(2.4)), At(2.4)), (Fail("web-b", At(2.6)), At(2.6)))[2].State;
        Assert.Equal(FailoverStage.Switching, s.Failover?.Stage); // within the hold (5 s from the start at 1.4 s)

        var d = Decider.Decide(s, Fail("web-b", At(6.5)), At(6.5));

        Assert.Contains(EventTypes.FailoverFailed, d.Types());
        Assert.Contains("web-b went down while traffic was being switched to it", d.Events.First(e => e.Type == EventTypes.FailoverFailed).Reason);
        Assert.Null(d.State.Failover);
        Assert.Null(d.State.Routable);
    }

    [Fact]
    public void Decide_OutcomeOfAnEarlierAttemptWhileWaitingToRetry_Ignored()
    {
        var s = Switching(out _);
        s = Decider.Decide(s, new StepCompleted(Switch, false, "timeout"), At(2)).State;

        var late = Decider.Decide(s, new StepCompleted(Switch, true, "late"), At(2.5));

        Assert.Empty(late.Events);
        Assert.Null(late.State.Routable);
    }

    [Fact]
    public void Decide_RestartedWhileSwitching_SwitchesAgain()
    {
        var spec = Spec();
        var s = AllUp(spec, T0);
        var events = new List<JournalEvent>();
        foreach (var (input, at) in new (Input, DateTimeOffset)[]
                 {
                     (Fail("web-a", At(1)), At(1)), (Fail("web-a", At(1.2)), At(1.2)), (Fail("web-a", At(1.4)), At(1.4)),
                     (new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "fenced"), At(1.5)),
                 })
        {
            var step = Decider.Decide(s, input, at);
            events.AddRange(step.Events);
            s = step.State;
        }
        var rebuilt = ServiceFold.Rebuild(spec, events, out string? error);
        Assert.Null(error);
        Assert.Equal(FailoverStage.Switching, rebuilt.Failover?.Stage);

        var d = Decider.Decide(rebuilt, Journaled.Restarted, At(5));

        Assert.Equal([EventTypes.ControllerStarted, EventTypes.TrafficSwitching], d.Types());
        Assert.Equal<Step>([Switch], d.Plan);
        Assert.Equal(2, d.State.Failover?.SwitchAttempts);
    }

    [Fact]
    public void Decide_NoSwitchesConfigured_SwitchesAtOnceAsBefore()
    {
        var s = AllUp(Http(), T0);
        Walk(ref s, (Fail("web-a", At(1)), At(1)), (Fail("web-a", At(1.2)), At(1.2)), (Fail("web-a", At(1.4)), At(1.4)));

        var d = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "fenced"), At(1.5));

        Assert.Contains(EventTypes.TrafficSwitched, d.Types());
        Assert.DoesNotContain(d.Plan, step => step is SwitchTraffic);
    }
}
