using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Operators;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

public class ServiceFoldTests
{
    private static JournalEvent E(string type, long epoch, double at, params (string, object?)[] details) =>
        Journaled.Make(T0.AddSeconds(at), "web", null, epoch, type, Actors.Controller,
            details.ToImmutableDictionary(d => d.Item1, d => d.Item2).Add("reason", $"{type} (written by hand)"));

    [Fact]
    public void Rebuild_EmptyJournal_IsTheConfiguredStart()
    {
        var s = ServiceFold.Rebuild(Http(), [], out string? error);
        Assert.Null(error);
        Assert.Equal((1L, "web-a", "web-a"), (s.Epoch, s.Primary, s.Routable));
    }

    [Fact]
    public void Rebuild_CompletedFailover_KeepsEpochPrimaryAndRejoinMark()
    {
        var s = ServiceFold.Rebuild(Http(), [
            E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-b")),
            E(EventTypes.TrafficSwitched, 2, 1.1),
            E(EventTypes.FailoverCompleted, 2, 1.2),
        ], out string? error);

        Assert.Null(error);
        Assert.Equal((2L, "web-b", "web-b"), (s.Epoch, s.Primary, s.Routable));
        Assert.True(s.Members["web-a"].NeedsRejoin);
        Assert.Null(s.Failover);
        Assert.Equal(T0.AddSeconds(1.2), s.LastFailoverAt);
    }

    [Fact]
    public void Rebuild_FailoverCutOffBeforeSwitch_IsStillFencing()
    {
        var s = ServiceFold.Rebuild(Http(), [E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-b"))], out _);

        Assert.Null(s.Routable);
        Assert.Equal(new FailoverProgress("web-a", "web-b", 2, T0.AddSeconds(1), FailoverStage.Fencing), s.Failover);
    }

    [Fact]
    public void Rebuild_FencedNotSwitched_AwaitsTheTarget()
    {
        var s = ServiceFold.Rebuild(Http(), [
            E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-b")),
            E(EventTypes.MemberFenced, 2, 1.1),
        ], out _);

        Assert.Equal(FailoverStage.AwaitingTarget, s.Failover!.Stage);
        Assert.Null(s.Routable);
    }

    [Fact]
    public void Rebuild_HooksOfTheFailover_AreCountedSoARestartSkipsThem()
    {
        var s = ServiceFold.Rebuild(Http(hooks: true), [
            E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-b")),
            E(EventTypes.MemberFenced, 2, 1.1),
            E(EventTypes.TrafficSwitched, 2, 1.2),
            E(EventTypes.HookCompleted, 1, 1.25, ("trigger", "on_failover"), ("index", 0), ("command", "echo")),
            E(EventTypes.HookFailed, 2, 1.3, ("trigger", "on_failover"), ("index", 0), ("command", "echo")),
            E(EventTypes.HookCompleted, 2, 1.4, ("trigger", "on_switchover"), ("index", 0), ("command", "echo")),
        ], out _);

        Assert.Equal(new FailoverProgress("web-a", "web-b", 2, T0.AddSeconds(1), FailoverStage.RunningHooks, HooksFinished: 1), s.Failover);
    }

    [Fact]
    public void Rebuild_MemberMissingFromConfig_SaysWhichEventNamesIt()
    {
        ServiceFold.Rebuild(Http(), [E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-x")) with { Id = 7 }], out string? error);

        Assert.Equal("the journal's event #7 (failover.started at 2026-11-22T12:00:01.0000000+00:00, epoch 2) names member 'web-x', " +
                     "which service web no longer has in the config; restore the member or start with a new journal", error);
    }

    /// <summary>Feeds inputs to the decider from <see cref="T0"/> on, a second apart; returns its state and everything it journaled.</summary>
    private static (ServiceState State, List<JournalEvent> Journal) Decided(ServiceSpec spec, params Input[] inputs)
    {
        ServiceState s = AllUp(spec, T0);
        var journal = new List<JournalEvent>();
        for (int i = 0; i < inputs.Length; i++)
        {
            Decision d = Decider.Decide(s, inputs[i], T0.AddSeconds(i + 1));
            journal.AddRange(d.Events);
            s = d.State;
        }
        return (s, journal);
    }

    /// <summary>What a restart must keep of operator actions; requests are compared field by field (their approvers are an array).</summary>
    private static void AssertSameOperatorState(ServiceState expected, ServiceState rebuilt)
    {
        Assert.Equal((expected.Epoch, expected.Primary, expected.Routable, expected.Failover, expected.Pause, expected.LastFailoverAt),
            (rebuilt.Epoch, rebuilt.Primary, rebuilt.Routable, rebuilt.Failover, rebuilt.Pause, rebuilt.LastFailoverAt));
        Assert.Equal(expected.Request?.ApprovedBy.ToArray(), rebuilt.Request?.ApprovedBy.ToArray());
        Assert.Equal(expected.Request, rebuilt.Request is { } r ? r with { ApprovedBy = expected.Request!.ApprovedBy } : null);
        Assert.Equal(expected.Members.Values.Where(m => m.NeedsRejoin).Select(m => m.Name), rebuilt.Members.Values.Where(m => m.NeedsRejoin).Select(m => m.Name));
    }

    [Fact]
    public void Rebuild_PendingRequestWithOneApproval_IsTheDecidersRequest()
    {
        var (state, journal) = Decided(Http(members: 3, approvals: 2, approvalTimeout: TimeSpan.FromMinutes(5)), SwitchoverTo("web-c"), Approve("bob"));
        Assert.Equal(RequestState.AwaitingApproval, state.Request!.State);

        var s = ServiceFold.Rebuild(state.Spec, journal, out string? error);

        Assert.Null(error);
        AssertSameOperatorState(state, s);
        Assert.Equal(T0.AddSeconds(1) + TimeSpan.FromMinutes(5), s.Request!.ExpiresAt);

        // Once health is re-learned, the rebuilt request still counts bob: carol's approval is the second and carries it out.
        foreach (var m in s.Spec.Members) s = Decider.Decide(s, Ok(m.Name, T0.AddSeconds(9)), T0.AddSeconds(9)).State;
        var d = Decider.Decide(s, Approve("carol"), T0.AddSeconds(10));
        Assert.Contains(EventTypes.SwitchoverStarted, d.Types());
    }

    [Fact]
    public void Rebuild_PauseAndClosedRequest_IsTheDecidersPauseWithNoRequest()
    {
        var (state, journal) = Decided(Http(approvals: 1), SwitchoverTo("web-b"), Reject("bob"), Pause("carol"));
        Assert.NotNull(state.Pause);

        var s = ServiceFold.Rebuild(state.Spec, journal, out _);

        AssertSameOperatorState(state, s);
        Assert.Null(s.Request);

        var resumed = Decided(Http(approvals: 1), SwitchoverTo("web-b"), Reject("bob"), Pause("carol"), new Resumed("carol", "done"));
        Assert.Null(ServiceFold.Rebuild(state.Spec, resumed.Journal, out _).Pause);
    }

    [Fact]
    public void Rebuild_SwitchoverCutOffWhileDraining_IsStillDrainingInTheOldEpoch()
    {
        var (state, journal) = Decided(Http(approvals: 1), SwitchoverTo("web-b"), Approve("bob"));
        Assert.Equal(FailoverStage.Draining, state.Failover!.Stage);

        var s = ServiceFold.Rebuild(state.Spec, journal, out _);

        AssertSameOperatorState(state, s);
        Assert.Equal(RequestState.Executing, s.Request!.State);
        Assert.Equal((1L, "web-a", (string?)null), (s.Epoch, s.Primary, s.Routable));
    }

    [Fact]
    public void Rebuild_SwitchoverCutOffAfterTheEpochAdvanced_KeepsTheNewEpochAndItsHooks()
    {
        var spec = Http(switchoverHooks: true);
        var (state, journal) = Decided(spec, SwitchoverTo("web-b"), new StepCompleted(new DrainMember("web-a", spec.Proxy!.Drain, 1), true, "drained"),
            new StepCompleted(new FenceMember("web-a", "web-b", 2, Planned: true), true, "fenced"));
        Assert.Equal((FailoverStage.RunningHooks, 2L, "web-b"), (state.Failover!.Stage, state.Epoch, state.Routable));

        var s = ServiceFold.Rebuild(spec, journal, out _);

        AssertSameOperatorState(state, s);
        Assert.False(s.Members["web-a"].NeedsRejoin);
    }

    [Fact]
    public void Rebuild_AbandonedSwitchover_GivesTheOldPrimaryItsTrafficBack()
    {
        var (state, journal) = Decided(Http(), SwitchoverTo("web-b"), Journaled.Restarted);
        Assert.Equal(("web-a", "web-a"), (state.Primary, state.Routable));

        var s = ServiceFold.Rebuild(state.Spec, journal, out _);

        AssertSameOperatorState(state, s);
        Assert.Null(s.Request);
    }
}
