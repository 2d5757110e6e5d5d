using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Journal;

public class StateRebuilderTests
{
    private static JournalEvent E(string type, long epoch, double at, params (string, object?)[] details) =>
        new(T0.AddSeconds(at), "web", null, epoch, type, Actors.Controller,
            details.ToImmutableDictionary(d => d.Item1, d => d.Item2));

    [Fact]
    public void Rebuild_EmptyJournal_IsTheConfiguredStart()
    {
        var s = StateRebuilder.Rebuild(Http(), [], out string? error);
        Assert.Null(error);
        Assert.Equal((1L, "web-a", "web-a"), (s.Epoch, s.Primary, s.Routable));
    }

    [Fact]
    public void Rebuild_CompletedFailover_KeepsEpochPrimaryAndRejoinMark()
    {
        var s = StateRebuilder.Rebuild(Http(), [
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
        var s = StateRebuilder.Rebuild(Http(), [E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-b"))], out _);

        Assert.Null(s.Routable);
        Assert.Equal(new FailoverProgress("web-a", "web-b", 2, T0.AddSeconds(1), FailoverStage.Fencing), s.Failover);
    }

    [Fact]
    public void Rebuild_FencedNotSwitched_AwaitsTheTarget()
    {
        var s = StateRebuilder.Rebuild(Http(), [
            E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-b")),
            E(EventTypes.MemberFenced, 2, 1.1),
        ], out _);

        Assert.Equal(FailoverStage.AwaitingTarget, s.Failover!.Stage);
        Assert.Null(s.Routable);
    }

    [Fact]
    public void Rebuild_HooksOfTheFailover_AreCountedSoARestartSkipsThem()
    {
        var s = StateRebuilder.Rebuild(Http(hooks: true), [
            E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-b")),
            E(EventTypes.MemberFenced, 2, 1.1),
            E(EventTypes.TrafficSwitched, 2, 1.2),
            E(EventTypes.HookCompleted, 1, 1.25, ("trigger", "on_failover")),
            E(EventTypes.HookFailed, 2, 1.3, ("trigger", "on_failover")),
            E(EventTypes.HookCompleted, 2, 1.4, ("trigger", "on_switchover")),
        ], out _);

        Assert.Equal(new FailoverProgress("web-a", "web-b", 2, T0.AddSeconds(1), FailoverStage.RunningHooks, HooksFinished: 1), s.Failover);
    }

    [Fact]
    public void Rebuild_MemberMissingFromConfig_SaysWhichEventNamesIt()
    {
        StateRebuilder.Rebuild(Http(), [E(EventTypes.FailoverStarted, 2, 1, ("from", "web-a"), ("to", "web-x")) with { Id = 7 }], out string? error);

        Assert.Equal("the journal's event #7 (failover.started at 2026-11-22T12:00:01.0000000+00:00, epoch 2) names member 'web-x', " +
                     "which service web no longer has in the config; restore the member or start with a new journal", error);
    }
}
