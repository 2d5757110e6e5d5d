using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

public class DeciderRestartTests
{
    /// <summary>A failover to web-b in epoch 2 as rebuilt from the journal: health unknown, as after any restart.</summary>
    private static ServiceState Rebuilt(FailoverStage stage, bool hooks = false, int hooksFinished = 0) => ServiceState.Initial(Http(hooks: hooks)) with
    {
        Epoch = 2,
        Primary = "web-b",
        Routable = stage == FailoverStage.RunningHooks ? "web-b" : null,
        Failover = new FailoverProgress("web-a", "web-b", 2, T0, stage, hooksFinished),
    };

    [Fact]
    public void Decide_ControllerStartedWithoutFailover_JournalsTheStartAndChangesNothingElse()
    {
        var d = Decider.Decide(ServiceState.Initial(Http()), Journaled.Restarted, T0);

        var started = Assert.IsType<ControllerStarted>(Assert.Single(d.Events));
        Assert.Equal(("test", 1, "controller test (pid 1) started at epoch 1 with web-a as primary"), (started.Version, started.Pid, started.Reason));
        Assert.Empty(d.Plan);
        Assert.Equal(("web-a", "web-a", 1L), (d.State.Primary, d.State.Routable, d.State.Epoch));
    }

    [Fact]
    public void Decide_ControllerStartedWhileFencing_FencesAgain()
    {
        var d = Decider.Decide(Rebuilt(FailoverStage.Fencing), Journaled.Restarted, T0.AddSeconds(1));

        Assert.Equal([EventTypes.ControllerStarted, EventTypes.FailoverResumed], d.Types());
        Assert.Equal<Step>([new FenceMember("web-a", "web-b", 2)], d.Plan);
    }

    [Fact]
    public void Decide_ResumedFence_WaitsForTheNewPrimarysFirstCheckBeforeSwitching()
    {
        var s = Decider.Decide(Rebuilt(FailoverStage.Fencing), Journaled.Restarted, T0).State;

        var fenced = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "0 closed"), T0.AddSeconds(1));
        Assert.Equal([EventTypes.MemberFenced], fenced.Types());
        Assert.Null(fenced.State.Routable);
        Assert.Equal(FailoverStage.AwaitingTarget, fenced.State.Failover!.Stage);
        Assert.Equal(new TrafficRoute(2, null, Hold: true, TargetDown: false), Routing.For(fenced.State));

        var up = Decider.Decide(fenced.State, Ok("web-b", T0.AddSeconds(1.2)), T0.AddSeconds(1.2));
        Assert.Equal([EventTypes.MemberUp, EventTypes.TrafficSwitched, EventTypes.FailoverCompleted, EventTypes.AlertRaised], up.Types());
        Assert.Equal("web-b", up.State.Routable);
    }

    [Fact]
    public void Decide_NewPrimaryDownThenUpWithinTheHold_GetsTheTraffic()
    {
        var s = Rebuilt(FailoverStage.AwaitingTarget);
        Walk(ref s, (Fail("web-b", T0), T0), (Fail("web-b", T0.AddSeconds(0.2)), T0.AddSeconds(0.2)), (Fail("web-b", T0.AddSeconds(0.4)), T0.AddSeconds(0.4)));

        var back = Walk(ref s, (Ok("web-b", T0.AddSeconds(1)), T0.AddSeconds(1)), (Ok("web-b", T0.AddSeconds(1.2)), T0.AddSeconds(1.2)))[1];

        Assert.Contains(EventTypes.TrafficSwitched, back.Types());
        Assert.Equal(("web-b", (FailoverProgress?)null), (s.Routable, s.Failover));
    }

    [Fact]
    public void Decide_NewPrimaryDownBeforeTheSwitch_WaitsOutTheHoldThenFailsTheFailoverAndRoutesNothing()
    {
        var s = Rebuilt(FailoverStage.AwaitingTarget);

        var down = Walk(ref s, (Fail("web-b", T0), T0), (Fail("web-b", T0.AddSeconds(0.2)), T0.AddSeconds(0.2)), (Fail("web-b", T0.AddSeconds(0.4)), T0.AddSeconds(0.4)))[2];
        Assert.Equal([EventTypes.MemberDown], down.Types());
        Assert.Equal(new TrafficRoute(2, null, Hold: true, TargetDown: false), Routing.For(s));

        // The proxy's hold (5 s) from the start of the failover is over: it fails, nothing routed.
        var d = Decider.Decide(s, Fail("web-b", T0.AddSeconds(5)), T0.AddSeconds(5));
        s = d.State;

        Assert.Equal([EventTypes.FailoverFailed, EventTypes.AlertRaised], d.Types());
        Assert.Null(s.Routable);
        Assert.True(s.Degraded);
        Assert.Equal(Health.Down, s.Members["web-b"].Health);
    }

    [Fact]
    public void Decide_ControllerStartedAfterSwitchWithHooksLeft_RunsTheUnfinishedHooks()
    {
        var d = Decider.Decide(Rebuilt(FailoverStage.RunningHooks, hooks: true), Journaled.Restarted, T0.AddSeconds(1));

        Assert.Equal([EventTypes.ControllerStarted, EventTypes.FailoverResumed], d.Types());
        Assert.Equal<Step>([new RunHooks(HookTrigger.OnFailover, "web-a", "web-b", 2, FirstHook: 0)], d.Plan);
        Assert.Equal("web-b", d.State.Routable);
    }

    [Fact]
    public void Decide_ControllerStartedAfterEveryHookRan_CompletesWithoutRunningThemAgain()
    {
        var d = Decider.Decide(Rebuilt(FailoverStage.RunningHooks, hooks: true, hooksFinished: 1), Journaled.Restarted, T0.AddSeconds(1));

        Assert.Equal([EventTypes.ControllerStarted, EventTypes.FailoverCompleted, EventTypes.AlertRaised], d.Types());
        Assert.Empty(d.Plan);
    }
}
