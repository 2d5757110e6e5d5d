using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>
/// kind redis shares PostgreSQL's role and lag rules (offsets for LSNs); what is its own: a server that accepts writes
/// out of turn is demoted on sight (PostgreSQL only alarms), a failed demotion is retried after a pause, and
/// failover.rejoin: auto makes a demoted old primary a candidate again once it replicates.
/// </summary>
public class DeciderRedisTests
{
    private static ServiceSpec Redis(RejoinMode rejoin = RejoinMode.Manual, long maxLag = 1024 * 1024, bool synchronous = false, bool strict = false) =>
        new("cache", ServiceKind.Redis,
            [.. Enumerable.Range(1, 3).Select(i => new MemberSpec($"r{i}", new HostPort("127.0.0.1", 6378 + i)))], "r1",
            new CheckSpec(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(150), 2, 2),
            new FailoverSpec(FailoverMode.Automatic, TimeSpan.Zero, maxLag, synchronous, strict, Rejoin: rejoin),
            new ProxySpec(new HostPort("127.0.0.1", 6390), TimeSpan.FromSeconds(5)), HooksSpec.None, TargetsSpec.None, Redis: RedisSpec.Default);

    private static CheckObserved Primary(string member, DateTimeOffset at, long offset, params string[] online) =>
        new(CheckResult.Passed(member, at, TimeSpan.FromMilliseconds(1), "primary", new ReplicationView(false, offset, null, null, null, [], [.. online])));

    private static CheckObserved Replica(string member, DateTimeOffset at, long offset) =>
        new(CheckResult.Passed(member, at, TimeSpan.FromMilliseconds(1), "replica", new ReplicationView(true, null, offset, offset, null, [], [])));

    /// <summary>r1 primary at offset 5000 with r2 and r3 online at the given offsets.</summary>
    private static ServiceState Running(RejoinMode rejoin = RejoinMode.Manual, long r2 = 5000, long r3 = 5000, long maxLag = 1024 * 1024)
    {
        ServiceState s = ServiceState.Initial(Redis(rejoin, maxLag));
        Walk(ref s, (Primary("r1", T0, 5000, "r2", "r3"), T0), (Replica("r2", T0, r2), T0), (Replica("r3", T0, r3), T0));
        Assert.Equal("r1", s.Routable);
        return s;
    }

    /// <summary>r1 dies, the failover runs through to its hooks; returns the state with <paramref name="to"/> routable.</summary>
    private static ServiceState FailedOver(ServiceState s, string to)
    {
        var down = Walk(ref s, (Fail("r1", At(1)), At(1)), (Fail("r1", At(1.2)), At(1.2)));
        Assert.Equal(new FenceMember("r1", to, 2), Assert.Single(down[^1].Plan));
        Walk(ref s, (new StepCompleted(new FenceMember("r1", to, 2), true, "closed"), At(1.3)),
            (new StepCompleted(new PromoteMember(to, 2), true, "REPLICAOF NO ONE"), At(1.4)));
        Walk(ref s, (new StepCompleted(new RunHooks(HookTrigger.OnFailover, "r1", to, 2), true, "0 hooks"), At(1.5)));
        Assert.Equal((to, (FailoverProgress?)null), (s.Routable, s.Failover));
        return s;
    }

    /// <summary>r1 answers again as a primary: the first of its rise (2) checks; the second is the caller's, at <paramref name="at"/>.</summary>
    private static ServiceState Rising(ServiceState s, double at) => Decider.Decide(s, Primary("r1", At(at - 0.1), 5300), At(at - 0.1)).State;

    [Fact]
    public void Decide_ReplicasTiedAtLagZero_PromotesTheOneThatReceivedTheMost()
    {
        // Both read past the primary's last seen offset (it wrote on before dying): lag 0 for both, r3 has more.
        ServiceState s = FailedOver(Running(r2: 5100, r3: 5200), "r3");
        Assert.True(s.Members["r1"].NeedsRejoin);
    }

    [Fact]
    public void Decide_ReplicaBeyondMaxLag_IsNeverPromoted()
    {
        ServiceState s = Running(r2: 1000, r3: 4900, maxLag: 1024);
        Assert.False(Candidates.IsPromotable(s, s.Members["r2"], out string why));
        Assert.Equal("lag 3.9 KiB > max_lag 1 KiB", why);
        FailedOver(s, "r3");
    }

    [Fact]
    public void Decide_OldPrimaryBackWritable_IsDemotedOnSightOnceAndStaysOutOfTraffic()
    {
        ServiceState s = FailedOver(Running(), "r2");
        s = Decider.Decide(s, Primary("r2", At(2), 6000, "r3"), At(2)).State;

        var back = Decider.Decide(Rising(s, 3), Primary("r1", At(3), 5300), At(3));

        Assert.Equal(new DemoteMember("r1", "r2", 2), Assert.Single(back.Plan));
        Assert.Contains(EventTypes.MemberWritable, back.Types());
        Assert.Equal("r2", back.State.Routable);
        // Seen again before the demotion's outcome: no second demotion.
        Assert.Empty(Decider.Decide(back.State, Primary("r1", At(3.2), 5300), At(3.2)).Plan);

        var done = Decider.Decide(back.State, new StepCompleted(back.Plan[0], true, "REPLICAOF done") { LostBytes = 300 }, At(3.3));
        var demoted = Assert.IsType<MemberDemoted>(done.Events[0]);
        Assert.Equal((true, 300L), (demoted.Succeeded, demoted.LostBytes));
        Assert.Contains("300 B of writes it held that r2 lacked were discarded", demoted.Reason);
        Assert.True(done.State.Members["r1"].NeedsRejoin, "a demoted old primary became a candidate without a rejoin");
        // Seen as a replica of r2 from now on: nothing more happens (manual rejoin).
        var after = Decider.Decide(done.State, Replica("r1", At(4), 6000), At(4));
        Assert.DoesNotContain(EventTypes.MemberRejoined, after.Types());
    }

    [Fact]
    public void Decide_DemotionFails_RetriedOnlyAfterThePause()
    {
        ServiceState s = FailedOver(Running(), "r2");
        s = Decider.Decide(s, Primary("r2", At(2), 6000, "r3"), At(2)).State;
        var back = Decider.Decide(Rising(s, 3), Primary("r1", At(3), 5300), At(3));

        var failed = Decider.Decide(back.State, new StepCompleted(back.Plan[0], false, "NOAUTH"), At(3.1));
        Assert.Equal(At(3.1) + TimeSpan.FromSeconds(5), Assert.IsType<MemberDemoted>(failed.Events[0]).RetryAfter);

        Assert.Empty(Decider.Decide(failed.State, Primary("r1", At(5), 5300), At(5)).Plan);
        Assert.Equal(new DemoteMember("r1", "r2", 2), Assert.Single(Decider.Decide(failed.State, Primary("r1", At(8.2), 5300), At(8.2)).Plan));
    }

    [Fact]
    public void Decide_RejoinAuto_ACandidateAgainOnceThePrimaryListsItOnline()
    {
        ServiceState s = FailedOver(Running(RejoinMode.Auto), "r2");
        s = Decider.Decide(s, Primary("r2", At(2), 6000, "r3"), At(2)).State;
        // A replica not yet online at r2 is not rejoined.
        s = Decider.Decide(s, Replica("r1", At(2.9), 0), At(2.9)).State;
        Assert.DoesNotContain(EventTypes.MemberRejoined, Decider.Decide(s, Replica("r1", At(3), 0), At(3)).Types());

        s = Decider.Decide(s, Primary("r2", At(4), 6100, "r3", "r1"), At(4)).State;
        var rejoined = Decider.Decide(s, Replica("r1", At(4.1), 6100), At(4.1));

        var e = Assert.IsType<MemberRejoined>(rejoined.Events.Single(x => x is MemberRejoined));
        Assert.Equal(("r1", "understudy"), (e.Member, e.Actor));
        Assert.False(rejoined.State.Members["r1"].NeedsRejoin);
        Assert.Equal("r2", rejoined.State.Routable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decide_SynchronousAndNoReplicaOnline_AlertsOnceAndTheProxyStopsWaitingUnlessStrict(bool strict)
    {
        ServiceState s = ServiceState.Initial(Redis(synchronous: true, strict: strict));
        Walk(ref s, (Primary("r1", T0, 5000, "r2", "r3"), T0), (Replica("r2", T0, 5000), T0), (Replica("r3", T0, 5000), T0));
        Assert.False(Routing.For(s).NoReplica);

        var alone = Decider.Decide(s, Primary("r1", At(1), 5100), At(1));

        var alert = Assert.IsType<AlertRaised>(Assert.Single(alone.Events));
        Assert.Contains(strict ? "writes are refused (min-replicas-to-write)" : "the proxy stops waiting", alert.Reason);
        Assert.Equal(!strict, Routing.For(alone.State).NoReplica);
        Assert.Empty(Decider.Decide(alone.State, Primary("r1", At(1.2), 5200), At(1.2)).Events);
        Assert.False(Routing.For(Decider.Decide(alone.State, Primary("r1", At(1.4), 5300, "r2"), At(1.4)).State).NoReplica);
    }

    [Fact]
    public void Decide_TwoWritableAtStart_NothingRoutedAndNobodyDemoted()
    {
        ServiceState s = ServiceState.Initial(Redis());
        var decisions = Walk(ref s, (Primary("r1", T0, 10), T0), (Primary("r2", T0, 10), T0), (Replica("r3", T0, 10), T0));
        Assert.Null(s.Routable);
        Assert.All(decisions, d => Assert.DoesNotContain(d.Plan, p => p is DemoteMember));
        Assert.Contains(EventTypes.MemberWritable, decisions[^1].Types());
    }

    [Fact]
    public void Decide_Switchover_PausesWritesWaitsForTheOffsetPromotesAndTheOldPrimaryFollows()
    {
        ServiceState s = Running();
        var started = Decider.Decide(s, new ChangeRequested("r-1", RequestKind.Switchover, "r2", "resize r1", "alice"), At(1));
        var drain = Assert.IsType<DrainMember>(Assert.Single(started.Plan));

        var drained = Decider.Decide(started.State, new StepCompleted(drain, true, "0 open"), At(1.1));
        Assert.Contains("pausing its writes (CLIENT PAUSE WRITE)", drained.Events.Single().Reason);
        var pause = Assert.IsType<StopMember>(Assert.Single(drained.Plan));

        var paused = Decider.Decide(drained.State, new StepCompleted(pause, true, "CLIENT PAUSE WRITE") { Lsn = 5100 }, At(1.2));
        Assert.Equal(new AwaitReplay("r2", 5100, 1), Assert.Single(paused.Plan));
        Assert.Null(paused.State.Routable);

        var caughtUp = Decider.Decide(paused.State, new StepCompleted(paused.Plan[0], true, "reached 5100"), At(1.3));
        Assert.Equal(new FenceMember("r1", "r2", 2, Planned: true), Assert.Single(caughtUp.Plan));
        var fenced = Decider.Decide(caughtUp.State, new StepCompleted(caughtUp.Plan[0], true, "closed"), At(1.4));
        Assert.Equal(new PromoteMember("r2", 2), Assert.Single(fenced.Plan));
        var promoted = Decider.Decide(fenced.State, new StepCompleted(fenced.Plan[0], true, "REPLICAOF NO ONE"), At(1.5));

        Assert.Equal("r2", promoted.State.Routable);
        Assert.Contains(new FollowPrimary("r1", "r2", 2), promoted.Plan);
        Assert.Contains(promoted.Plan, p => p is RepointStandbys { Standbys: ["r3"] });
        Assert.False(promoted.State.Members["r1"].NeedsRejoin, "a switchover's old primary needs no rejoin");
    }

    [Fact]
    public void Decide_SwitchoverTargetDoesNotCatchUp_TheOldPrimaryIsUnpausedAndKeepsItsTraffic()
    {
        ServiceState s = Running();
        s = Decider.Decide(s, new ChangeRequested("r-1", RequestKind.Switchover, "r2", "resize r1", "alice"), At(1)).State;
        s = Decider.Decide(s, new StepCompleted(new DrainMember("r1", TimeSpan.Zero, 1), true, "0 open"), At(1.1)).State;
        s = Decider.Decide(s, new StepCompleted(new StopMember("r1", 1), true, "paused") { Lsn = 5100 }, At(1.2)).State;

        var late = Decider.Decide(s, new StepCompleted(new AwaitReplay("r2", 5100, 1), false, "reached only 5000"), At(31.2));

        Assert.Equal(new StartMember("r1", 1), Assert.Single(late.Plan));
        var back = Decider.Decide(late.State, new StepCompleted(late.Plan[0], true, "CLIENT UNPAUSE"), At(31.3));
        Assert.Equal(("r1", 1L, (FailoverProgress?)null), (back.State.Routable, back.State.Epoch, back.State.Failover));
    }
}
