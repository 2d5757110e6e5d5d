using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Operators;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

/// <summary>A planned switchover drains first and advances the epoch only after (rule 1 at its edge).</summary>
public class DeciderSwitchoverTests
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(3);

    private static readonly StepCompleted Drained = new(new DrainMember("web-a", DrainTimeout, 1), true, "2 connections closed by themselves");

    /// <summary>After the drain, the planned fence of epoch 2: every proxy has stopped routing to web-a.</summary>
    private static readonly StepCompleted Fenced = new(new FenceMember("web-a", "web-b", 2, Planned: true), true, "0 open connections closed");

    /// <summary>The drain ends and the planned fence completes, both at <paramref name="at"/>.</summary>
    private static Decision DrainAndFence(ServiceState s, DateTimeOffset at) => Decider.Decide(Decider.Decide(s, Drained, at).State, Fenced, at);

    /// <summary>web-a to web-b, no approvals needed, started at 1 s: draining in epoch 1.</summary>
    private static Decision Started(bool hooks = false, int members = 2)
    {
        var s = AllUp(Http(members: members, drain: DrainTimeout, switchoverHooks: hooks), T0);
        return Decider.Decide(s, SwitchoverTo("web-b"), At(1));
    }

    [Fact]
    public void Decide_SwitchoverStarted_HoldsNewConnectionsAndDrainsWithinTheSameEpoch()
    {
        var d = Started();

        Assert.Equal<Step>([new DrainMember("web-a", DrainTimeout, 1)], d.Plan);
        Assert.Equal(("web-a", 1L), (d.State.Primary, d.State.Epoch));
        Assert.Null(d.State.Routable);
        Assert.Equal(new TrafficRoute(1, null, Hold: true, TargetDown: false), Routing.For(d.State));
        Assert.Equal(new FailoverProgress("web-a", "web-b", 1, At(1), FailoverStage.Draining, Kind: RequestKind.Switchover, Request: Id), d.State.Failover);
        var started = d.Event(EventTypes.SwitchoverStarted);
        Assert.Equal(("alice", "web-a", "web-b", 1L), (started.Actor, started.Detail("from"), started.Detail("to"), started.Epoch));
    }

    [Fact]
    public void Decide_PassiveFailureOfTheOldPrimaryWhileDraining_ChangesNothing()
    {
        var s = Started().State;

        var d = Decider.Decide(s, ProxyRefused("web-a", At(1.5)), At(1.5));

        Assert.False(d.Changed);
        Assert.Null(d.State.Routable);
    }

    [Fact]
    public void Decide_Drained_AdvancesTheEpochAndFencesEveryProxyBeforeTheSwitch()
    {
        var s = Started().State;

        var d = Decider.Decide(s, Drained, At(4));

        Assert.Equal([EventTypes.MemberFenced], d.Types());
        Assert.Equal(("web-a", 2L, "web-a", "web-b"), (d.Events[0].Member, d.Events[0].Epoch, d.Events[0].Detail("from"), d.Events[0].Detail("to")));
        Assert.Equal<Step>([new FenceMember("web-a", "web-b", 2, Planned: true)], d.Plan);
        Assert.Equal(("web-b", (string?)null, 2L), (d.State.Primary, d.State.Routable, d.State.Epoch));
        Assert.True(Routing.For(d.State).Hold, "new connections are not held until the fence is done");
    }

    [Fact]
    public void Decide_DrainedAndFencedWithTargetUp_SwitchesTraffic()
    {
        var s = Decider.Decide(Started().State, Drained, At(4)).State;

        var d = Decider.Decide(s, Fenced, At(4));

        Assert.Equal([EventTypes.MemberFenced, EventTypes.TrafficSwitched, EventTypes.SwitchoverCompleted, EventTypes.RequestCompleted, EventTypes.AlertRaised],
            d.Types());
        var fenced = d.Event(EventTypes.MemberFenced);
        Assert.Equal(("web-a", 2L), (fenced.Member, fenced.Epoch));
        Assert.Equal(2L, d.Event(EventTypes.TrafficSwitched).Epoch);
        Assert.Equal("info", d.Event(EventTypes.AlertRaised).Detail("severity"));
        Assert.Equal(3000L, d.Event(EventTypes.SwitchoverCompleted).Details["duration_ms"]);
        Assert.Equal(("web-b", "web-b", 2L), (d.State.Primary, d.State.Routable, d.State.Epoch));
        Assert.Equal(new TrafficRoute(2, "web-b", Hold: false, TargetDown: false), Routing.For(d.State));
        Assert.Null(d.State.Failover);
        Assert.Null(d.State.Request);
        Assert.False(d.State.Members["web-a"].NeedsRejoin);
        Assert.Null(d.State.LastFailoverAt);
        Assert.Empty(d.Plan);
    }

    [Fact]
    public void Decide_DrainedWithSwitchoverHooks_CompletesAfterTheHooks()
    {
        var s = Started(hooks: true).State;

        var switched = DrainAndFence(s, At(4));
        Assert.Equal([EventTypes.MemberFenced, EventTypes.TrafficSwitched], switched.Types());
        Assert.Equal(RequestState.Executing, switched.State.Request!.State);
        AssertHooksRunThenComplete(switched, At(5));
    }

    /// <summary>Traffic is already on web-b in epoch 2; the switchover and its request end once the on_switchover hooks ran.</summary>
    private static void AssertHooksRunThenComplete(Decision switched, DateTimeOffset at)
    {
        Assert.Equal<Step>([new RunHooks(HookTrigger.OnSwitchover, "web-a", "web-b", 2)], switched.Plan);
        Assert.Equal("web-b", switched.State.Routable);

        var done = Decider.Decide(switched.State, new StepCompleted(switched.Plan[0], true, "1 hook ran"), at);
        Assert.Equal([EventTypes.SwitchoverCompleted, EventTypes.RequestCompleted, EventTypes.AlertRaised], done.Types());
        Assert.Null(done.State.Request);
        Assert.Null(done.State.LastFailoverAt);
    }

    [Fact]
    public void Decide_NewPrimaryDownAfterASwitchover_FailsOverAtOnceBackToTheOldPrimary()
    {
        // No cooldown from a switchover, and the old primary was never marked for rejoin: it is a candidate.
        var s = DrainAndFence(Started().State, At(4)).State;

        var d = Down(ref s, "web-b", At(5));

        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], d.Types());
        Assert.Equal(("web-a", 3L), (s.Primary, s.Epoch));
        Assert.True(s.Members["web-b"].NeedsRejoin);
    }

    [Fact]
    public void Decide_TargetDownAtTheEndOfTheDrain_AbandonsAndGivesTrafficBackInTheSameEpoch()
    {
        var s = Started().State;
        var down = Down(ref s, "web-b", At(2));
        Assert.Equal([EventTypes.MemberDown], down.Types());
        Assert.Null(s.Routable);

        var d = Decider.Decide(s, Drained, At(4));

        Assert.Equal([EventTypes.SwitchoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Contains("web-b is down after the drain", d.Event(EventTypes.SwitchoverFailed).Reason);
        Assert.Equal(("web-a", "web-a", 1L), (d.State.Primary, d.State.Routable, d.State.Epoch));
        Assert.Null(d.State.Failover);
        Assert.Null(d.State.Request);
        Assert.Empty(d.Plan);
    }

    [Fact]
    public void Decide_ControllerStartedWhileDraining_AbandonsAndIgnoresTheLateDrain()
    {
        var s = Started().State;

        var d = Decider.Decide(s, Journaled.Restarted, At(2));

        Assert.Equal([EventTypes.ControllerStarted, EventTypes.SwitchoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Equal(("web-a", "web-a", 1L), (d.State.Primary, d.State.Routable, d.State.Epoch));
        Assert.Null(d.State.Failover);

        var late = Decider.Decide(d.State, Drained, At(4));
        Assert.False(late.Changed);
        Assert.Equal(("web-a", "web-a", 1L), (late.State.Primary, late.State.Routable, late.State.Epoch));
    }

    [Fact]
    public void Decide_ControllerStartedDuringSwitchoverHooks_RunsTheSwitchoverHooksAgainThenCompletesTheRequest()
    {
        var started = Started(hooks: true);
        var drained = Decider.Decide(started.State, Drained, At(4));
        var fenced = Decider.Decide(drained.State, Fenced, At(4));
        var s = ServiceFold.Rebuild(started.State.Spec, [.. started.Events, .. drained.Events, .. fenced.Events], out _);

        var resumed = Decider.Decide(s, Journaled.Restarted, At(10));
        Assert.Equal([EventTypes.ControllerStarted, EventTypes.FailoverResumed], resumed.Types());
        AssertHooksRunThenComplete(resumed, At(11));
    }

    [Fact]
    public void Decide_NewPrimaryDownAfterTheEpochAdvanced_OldPrimaryTakesTrafficBackInTheNextEpoch()
    {
        // As after a restart past the drain: web-b is the primary of epoch 2 but nobody has seen it up yet.
        var s = ServiceState.Initial(Http()) with
        {
            Epoch = 2, Primary = "web-b", Routable = null,
            Failover = new FailoverProgress("web-a", "web-b", 2, T0, FailoverStage.AwaitingTarget, Kind: RequestKind.Switchover),
        };
        s = Decider.Decide(s, Ok("web-a", At(10.1)), At(10.1)).State;
        Assert.Null(s.Routable);

        var d = Down(ref s, "web-b", At(10.2));

        Assert.Equal([EventTypes.MemberDown, EventTypes.SwitchoverFailed, EventTypes.AlertRaised], d.Types());
        Assert.Equal("critical", d.Event(EventTypes.AlertRaised).Detail("severity"));
        Assert.Equal(("web-a", "web-a", 3L), (s.Primary, s.Routable, s.Epoch));
        Assert.False(s.Members["web-a"].NeedsRejoin);
        Assert.Null(s.Failover);
        Assert.Equal(Health.Up, s.Members["web-a"].Health);
    }
}
