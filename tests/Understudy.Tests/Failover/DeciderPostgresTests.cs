using Understudy.Core.Failover;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

public class DeciderPostgresTests
{
    private const long MiB = 1024 * 1024;

    private static DateTimeOffset At(double s) => T0.AddSeconds(s);

    /// <summary>pg1 writable at LSN 10 MiB, the standbys at the given received positions.</summary>
    private static ServiceState Running(ServiceState s, long pg2 = 10 * MiB, long pg3 = 10 * MiB, params string[] sync)
    {
        s = Decider.Decide(s, PgPrimary("pg1", T0, 10 * MiB, sync: sync), T0).State;
        s = Decider.Decide(s, PgStandby("pg2", T0, pg2), T0).State;
        if (s.Members.ContainsKey("pg3")) s = Decider.Decide(s, PgStandby("pg3", T0, pg3), T0).State;
        return s;
    }

    private static Decision PrimaryDies(ref ServiceState s, double at = 1)
    {
        s = Decider.Decide(s, Fail("pg1", At(at)), At(at)).State;
        var d = Decider.Decide(s, Fail("pg1", At(at + 0.2)), At(at + 0.2));
        s = d.State;
        return d;
    }

    [Fact]
    public void Decide_NothingSeenYet_HoldsTrafficUntilThePrimaryIsSeenWritable()
    {
        var s = ServiceState.Initial(Postgres());
        Assert.Equal(new TrafficRoute(1, null, Hold: true, TargetDown: false), Routing.For(s));

        // A new journal waits for every member's first answer: no first-answer-wins.
        var first = Walk(ref s, (PgPrimary("pg1", T0, 100), T0), (PgStandby("pg2", T0, 100), T0));
        Assert.All(first, d => Assert.DoesNotContain(EventTypes.MemberRole, d.Types()));
        Assert.Null(s.Routable);

        var d = Decider.Decide(s, PgStandby("pg3", T0, 100), T0);

        Assert.Equal([EventTypes.MemberUp, EventTypes.MemberRole], d.Types());
        Assert.Equal(new TrafficRoute(1, "pg1", false, false), Routing.For(d.State));
    }

    [Fact]
    public void Decide_ConfigNamesAStandby_FollowsTheServers()
    {
        var s = ServiceState.Initial(Postgres());
        s = Walk(ref s, (PgStandby("pg1", T0, 100), T0), (PgPrimary("pg2", T0, 100), T0))[1].State;
        Assert.Null(s.Routable);

        var found = Decider.Decide(s, PgStandby("pg3", T0, 100), T0);

        Assert.Equal([EventTypes.MemberUp, EventTypes.ConfigMismatch], found.Types());
        Assert.Equal("the config names pg1 as primary but pg2 is the writable server; following the servers", found.Reason.Split("; ", 2)[1]);
        Assert.Equal(("pg2", "pg2", 1L), (found.State.Primary, found.State.Routable, found.State.Epoch));
    }

    [Fact]
    public void Rebuild_AfterAdoptingTheWritableServer_KeepsItAsPrimary()
    {
        var spec = Postgres();
        var s = ServiceState.Initial(spec);
        var events = new List<JournalEvent>();
        foreach (var input in new Input[] { PgStandby("pg1", T0, 100), PgPrimary("pg2", T0, 100), PgStandby("pg3", T0, 100) })
        {
            var d = Decider.Decide(s, input, T0);
            events.AddRange(d.Events);
            s = d.State;
        }

        var rebuilt = ServiceFold.Rebuild(spec, events, out string? error);
        Assert.Null(error);
        rebuilt = Decider.Decide(rebuilt, Journaled.Restarted, T0).State;

        Assert.Equal(("pg2", 1L, null), (rebuilt.Primary, rebuilt.Epoch, rebuilt.Routable));
        Assert.Equal("pg2", Decider.Decide(rebuilt, PgPrimary("pg2", At(1), 200), At(1)).State.Routable);
    }

    [Fact]
    public void Decide_NewJournalWithTwoWritableServers_RoutesNothingAndAlerts()
    {
        var s = ServiceState.Initial(Postgres());

        var d = Walk(ref s, (PgPrimary("pg1", T0, 100), T0), (PgPrimary("pg2", T0, 100), T0), (PgStandby("pg3", T0, 100), T0))[2];

        Assert.Equal([EventTypes.MemberUp, EventTypes.MemberWritable, EventTypes.AlertRaised], d.Types());
        Assert.Contains("pg1 and pg2 all accept writes; nothing is routed", d.Reason);
        Assert.Null(s.Routable);
    }

    [Fact]
    public void Decide_HintIsAStandbyAndNobodyWritable_SaysSoOnce()
    {
        var s = ServiceState.Initial(Postgres(members: 2));

        var d = Walk(ref s, (PgStandby("pg1", T0, 100), T0), (PgStandby("pg2", T0, 100), T0), (PgStandby("pg2", At(1), 100), At(1)));

        Assert.Equal([EventTypes.MemberUp, EventTypes.ConfigMismatch, EventTypes.AlertRaised], d[1].Types());
        Assert.False(d[2].Changed);
    }

    [Fact]
    public void Decide_StandbyNotStreamingFromThePrimary_IsNeverPromoted()
    {
        // pg2 is left on an old timeline (not streaming), so no WAL position of it can be trusted.
        var s = ServiceState.Initial(Postgres(members: 2));
        s = Decider.Decide(s, PgPrimary("pg1", T0, 10 * MiB, streaming: []), T0).State;
        s = Decider.Decide(s, PgStandby("pg2", T0, 10 * MiB), T0).State;

        var d = PrimaryDies(ref s);

        Assert.Contains(EventTypes.ServiceDegraded, d.Types());
        Assert.Contains("pg2: it was not streaming from pg1 when last seen", d.Reason);
    }

    [Fact]
    public void Decide_StreamingStandbyAheadOfThePrimarysLastSeenPosition_HasNoLag()
    {
        // Under load the standby is read after the primary: it has received WAL written since. Lag is 0, not unknown.
        var s = ServiceState.Initial(Postgres());
        s = Decider.Decide(s, PgPrimary("pg1", T0, 10 * MiB), T0).State;
        s = Decider.Decide(s, PgStandby("pg2", T0, 10 * MiB - 100), T0).State;
        s = Decider.Decide(s, PgStandby("pg3", T0, 11 * MiB), T0).State;

        Assert.Equal(0, s.LagOf("pg3"));
        PrimaryDies(ref s);
        Assert.Equal("pg3", s.Failover?.To);
    }

    [Fact]
    public void Decide_RestartedAndTheJournalsPrimaryIsDead_DegradesWithAnAlertInsteadOfHoldingSilently()
    {
        var spec = Postgres(members: 2);
        var s = ServiceFold.Rebuild(spec, [Journaled.Make(T0, spec.Name, "pg1", 1, EventTypes.MemberRole, Actors.Controller,
            System.Collections.Immutable.ImmutableDictionary<string, object?>.Empty.Add("primary", "pg1"))], out _);
        s = Decider.Decide(s, PgStandby("pg2", At(1), 100), At(1)).State;

        var d = Walk(ref s, (Fail("pg1", At(2)), At(2)), (Fail("pg1", At(2.2)), At(2.2)))[1];

        Assert.Equal([EventTypes.MemberDown, EventTypes.ServiceDegraded, EventTypes.AlertRaised], d.Types());
    }

    [Fact]
    public void Decide_RejoinFinishedAfterAnotherFailover_StaysOut()
    {
        var s = Running(ServiceState.Initial(Postgres(members: 2, cooldown: TimeSpan.Zero)));
        PrimaryDies(ref s);

        var d = Decider.Decide(s, new RejoinFinished("pg1", Actors.Operator, 1, "pg1", true, "rewound"), At(5));

        Assert.Equal([EventTypes.RejoinFailed], d.Types());
        Assert.True(d.State.Members["pg1"].NeedsRejoin);
    }

    [Fact]
    public void Decide_PrimaryDies_FencesPromotesSwitchesRepointsThenCompletes()
    {
        var s = Running(ServiceState.Initial(Postgres()), pg2: 10 * MiB - 100, pg3: 10 * MiB - 50);

        var started = PrimaryDies(ref s);
        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], started.Types());
        Assert.Equal("pg3", s.Primary); // least lag
        Assert.Equal<Step>([new FenceMember("pg1", "pg3", 2)], started.Plan);

        var fenced = Decider.Decide(s, new StepCompleted(new FenceMember("pg1", "pg2", 2), true, "0 closed"), At(2));
        Assert.Equal<Step>([new PromoteMember("pg3", 2)], fenced.Plan);
        Assert.Null(fenced.State.Routable);

        var promoted = Decider.Decide(fenced.State, new StepCompleted(new PromoteMember("pg3", 2), true, "pg_promote in 120 ms"), At(2.2));
        Assert.Equal([EventTypes.MemberPromoted, EventTypes.TrafficSwitched], promoted.Types());
        Assert.Equal<Step>([new RepointStandbys("pg3", ["pg2"], 2), new RunHooks(HookTrigger.OnFailover, "pg1", "pg3", 2)], promoted.Plan);
        Assert.Equal("pg3", promoted.State.Routable);

        s = promoted.State;
        s = Decider.Decide(s, new StepCompleted(promoted.Plan[0], true, "reloaded"), At(2.3)).State;
        var done = Decider.Decide(s, new StepCompleted(promoted.Plan[1], true, "0 hooks"), At(2.3));
        Assert.Equal([EventTypes.FailoverCompleted, EventTypes.AlertRaised], done.Types());
    }

    [Fact]
    public void Decide_StandbyBeyondMaxLag_IsNeverPromoted()
    {
        var s = Running(ServiceState.Initial(Postgres(priorities: [("pg2", 10)])), pg2: 10 * MiB - 2 * MiB, pg3: 10 * MiB - 10);

        PrimaryDies(ref s);

        Assert.Equal("pg3", s.Primary);
    }

    [Fact]
    public void Decide_EveryStandbyBeyondMaxLag_DegradesAndSaysWhy()
    {
        var s = Running(ServiceState.Initial(Postgres()), pg2: 7 * MiB, pg3: 8 * MiB);

        var d = PrimaryDies(ref s);

        Assert.Equal([EventTypes.MemberDown, EventTypes.ServiceDegraded, EventTypes.AlertRaised], d.Types());
        Assert.Contains("pg2: lag 3 MiB > max_lag 1 MiB; pg3: lag 2 MiB > max_lag 1 MiB", d.Reason);
        Assert.Equal(1, s.Epoch);
    }

    [Fact]
    public void Decide_LeastLagBeatsPriority_AndNofailoverNeverWins()
    {
        var s = Running(ServiceState.Initial(Postgres(noFailover: "pg3", priorities: [("pg3", 100)])), pg2: 10 * MiB - 500, pg3: 10 * MiB);

        PrimaryDies(ref s);

        Assert.Equal("pg2", s.Primary);
    }

    [Fact]
    public void Decide_SynchronousMode_PromotesTheSynchronousStandbyEvenIfAnotherIsCloser()
    {
        // pg3 is named synchronous while it is the closest; then pg2 gets closer, but only pg3 holds every
        // acknowledged commit, so pg3 is promoted.
        var s = Running(ServiceState.Initial(Postgres(synchronous: true)), pg2: 10 * MiB - 8192, pg3: 10 * MiB);
        Assert.Equal(["pg3"], s.SyncStandbys!.Value.ToArray());
        s = SyncProven(s, 0.5, 10 * MiB);
        s = Decider.Decide(s, PgPrimary("pg1", At(2), 11 * MiB, sync: ["pg3"]), At(2)).State;
        s = Decider.Decide(s, PgStandby("pg2", At(2), 11 * MiB), At(2)).State;
        s = Decider.Decide(s, PgStandby("pg3", At(2), 11 * MiB - 4096), At(2)).State;

        PrimaryDies(ref s, at: 3);

        Assert.Equal("pg3", s.Primary);
    }

    [Fact]
    public void Decide_SynchronousMode_KeepsTheSettingNamingHealthyStandbys()
    {
        var s = ServiceState.Initial(Postgres(members: 2, synchronous: true));
        s = Decider.Decide(s, PgPrimary("pg1", T0, 100), T0).State;

        var d = Decider.Decide(s, PgStandby("pg2", T0, 100), T0);
        Assert.Equal<Step>([new SetSynchronousStandbys("pg1", ["pg2"], false, 1)], d.Plan);
        Assert.Equal([EventTypes.MemberUp, EventTypes.MemberRole, EventTypes.SyncStandbysChanged], d.Types());
        Assert.False(Decider.Decide(d.State, PgStandby("pg2", At(0.2), 100), At(0.2)).Changed);

        // Our checks lose the standby but the primary still streams to it (it still acknowledges): kept.
        s = d.State;
        var down = Walk(ref s, (Fail("pg2", At(1)), At(1)), (Fail("pg2", At(1.2)), At(1.2)))[1];
        Assert.Equal([EventTypes.MemberDown], down.Types());
        Assert.Empty(down.Plan);

        // The primary no longer streams to it: the setting is cleared (non-strict) and an alert goes out.
        var gone = Decider.Decide(s, PgPrimary("pg1", At(1.4), 100, streaming: []), At(1.4));
        Assert.Equal<Step>([new SetSynchronousStandbys("pg1", [], false, 1)], gone.Plan);
        Assert.Equal([EventTypes.SyncStandbysChanged, EventTypes.AlertRaised], gone.Types());
    }

    [Fact]
    public void Decide_SynchronousMode_NoStandbyPromotedBeforeOneIsProvenCaughtUp()
    {
        // The setting names pg2 but nothing has proven pg2 holds every commit yet (pg1 may have acknowledged alone before).
        var s = Running(ServiceState.Initial(Postgres(members: 2, synchronous: true)));
        Assert.Equal(["pg2"], s.SyncStandbys!.Value.ToArray());
        Assert.Null(s.SyncConfirmed);

        var d = PrimaryDies(ref s);

        Assert.DoesNotContain(EventTypes.FailoverStarted, d.Types());
        Assert.Contains("pg2: no standby is known to hold every acknowledged commit", d.Reason);
    }

    [Fact]
    public void Decide_SynchronousMode_ProvenOnlyByACheckBegunAfterTheSettingSettled_AndWhenTheStandbyReceivedThatFar()
    {
        var s = Running(ServiceState.Initial(Postgres(members: 2, synchronous: true)));
        s = Decider.Decide(s, new StepCompleted(new SetSynchronousStandbys("pg1", ["pg2"], false, 1) { Change = s.SyncChanges }, true, "written"), At(1)).State;

        // Reported sync, but by a check begun before the setting settled: it may describe the old setting.
        s = Decider.Decide(s, PgPrimary("pg1", At(1.5), 11 * MiB, sync: ["pg2"]), At(1.5)).State;
        s = Decider.Decide(s, PgStandby("pg2", At(1.6), 12 * MiB), At(1.6)).State;
        Assert.Null(s.SyncConfirmed);

        // Settled: the mark is pg1's position then; pg2 proven only once it received that far.
        s = Decider.Decide(s, PgPrimary("pg1", At(2.1), 13 * MiB, sync: ["pg2"]), At(2.1)).State;
        s = Decider.Decide(s, PgStandby("pg2", At(2.2), 13 * MiB - 1), At(2.2)).State;
        Assert.Null(s.SyncConfirmed);
        var proven = Decider.Decide(s, PgStandby("pg2", At(2.3), 13 * MiB), At(2.3));
        Assert.Equal([EventTypes.SyncStandbyCaughtUp], proven.Types());
        Assert.Equal("pg2", proven.State.SyncConfirmed);

        s = proven.State;
        PrimaryDies(ref s, at: 3);
        Assert.Equal("pg2", s.Primary);
    }

    [Fact]
    public void Decide_SynchronousMode_AnEarlierWriteOfTheSameListEndingLate_DoesNotStartTheSettle()
    {
        var s = Running(ServiceState.Initial(Postgres(members: 2, synchronous: true)));
        var first = new SetSynchronousStandbys("pg1", ["pg2"], false, 1) { Change = s.SyncChanges };
        // Cleared (pg2 stopped streaming), then named again: the first write of ["pg2"] ends only now.
        s = Decider.Decide(s, PgPrimary("pg1", At(0.5), 11 * MiB, streaming: []), At(0.5)).State;
        var renamed = Decider.Decide(s, PgPrimary("pg1", At(0.7), 11 * MiB), At(0.7));
        s = Decider.Decide(renamed.State, new StepCompleted(first, true, "written"), At(0.8)).State;
        Assert.Null(s.SyncWrittenAt);

        // The standby streams and is caught up, but the latest write has not ended: nothing settles, nothing is proven.
        s = Decider.Decide(s, PgPrimary("pg1", At(2), 11 * MiB, sync: ["pg2"]), At(2)).State;
        s = Decider.Decide(s, PgStandby("pg2", At(2.1), 11 * MiB), At(2.1)).State;
        Assert.Null(s.SyncConfirmed);

        var latest = Assert.IsType<SetSynchronousStandbys>(Assert.Single(renamed.Plan));
        s = Decider.Decide(s, new StepCompleted(latest, true, "written"), At(2.2)).State;
        Assert.Equal(At(2.2), s.SyncWrittenAt);
    }

    [Fact]
    public void Decide_SynchronousMode_ProvenStandbyThePrimaryLastReportedAsync_IsNotPromoted()
    {
        var s = Running(ServiceState.Initial(Postgres(members: 2, synchronous: true)));
        s = SyncProven(s, 0.2, 10 * MiB);
        // Someone changed the setting behind the controller's back: pg2 streams, but not synchronously.
        s = Decider.Decide(s, PgPrimary("pg1", At(2), 11 * MiB), At(2)).State;

        var d = PrimaryDies(ref s, at: 3);

        Assert.DoesNotContain(EventTypes.FailoverStarted, d.Types());
        Assert.Contains("pg1 did not report it synchronous when last seen", d.Reason);
    }

    [Fact]
    public void Decide_SynchronousMode_AfterTheSettingWasCleared_NoFailoverUntilTheStandbyIsProvenAgain()
    {
        var s = Running(ServiceState.Initial(Postgres(members: 2, synchronous: true)));
        s = SyncProven(s, 0.2, 10 * MiB);

        // pg2 stops streaming: cleared, so pg1 acknowledges alone and pg2 is no longer trusted.
        s = Decider.Decide(s, PgPrimary("pg1", At(2), 11 * MiB, streaming: []), At(2)).State;
        Assert.Equal([], s.SyncStandbys!.Value.ToArray());
        Assert.Null(s.SyncConfirmed);

        // It streams again and is named again, but has not been proven caught up: a failover now would lose commits.
        var renamed = Decider.Decide(s, PgPrimary("pg1", At(2.2), 12 * MiB), At(2.2));
        Assert.Equal<Step>([new SetSynchronousStandbys("pg1", ["pg2"], false, 1)], renamed.Plan);
        s = renamed.State;
        s = Decider.Decide(s, PgStandby("pg2", At(2.3), 12 * MiB), At(2.3)).State;
        var held = PrimaryDies(ref s, at: 3);
        Assert.DoesNotContain(EventTypes.FailoverStarted, held.Types());
        Assert.True(s.Degraded);
    }

    [Fact]
    public void Decide_SynchronousMode_RestartKeepsTheProofAndWritesTheSettingAgain()
    {
        var journal = new List<JournalEvent>();
        var s = ServiceState.Initial(Postgres(members: 2, synchronous: true));
        foreach (var (input, at) in new (Input, double)[] { (PgPrimary("pg1", T0, 10 * MiB), 0), (PgStandby("pg2", T0, 10 * MiB), 0) })
        {
            var d = Decider.Decide(s, input, At(at));
            journal.AddRange(d.Events);
            s = d.State;
        }
        var proven = SyncProven(s, 0.2, 10 * MiB, journal);

        var rebuilt = ServiceFold.Rebuild(proven.Spec, journal, out _);
        var restarted = Decider.Decide(rebuilt, Journaled.Restarted, At(5));

        // The previous controller may have died before writing what it decided: written again, the proof kept.
        Assert.Null(restarted.State.SyncStandbys);
        Assert.Equal("pg2", restarted.State.SyncConfirmed);
    }

    [Fact]
    public void Decide_OldPrimaryComesBackWritable_IsKeptOutAndAlertedOnce()
    {
        var s = Running(ServiceState.Initial(Postgres(members: 2)));
        PrimaryDies(ref s);
        s = Decider.Decide(s, new StepCompleted(new FenceMember("pg1", "pg2", 2), true, "closed"), At(2)).State;
        s = Decider.Decide(s, new StepCompleted(new PromoteMember("pg2", 2), true, "ok"), At(2.1)).State;

        var back = Walk(ref s, (PgPrimary("pg1", At(5), 10 * MiB), At(5)), (PgPrimary("pg1", At(5.2), 10 * MiB), At(5.2)), (PgPrimary("pg1", At(5.4), 10 * MiB), At(5.4)));

        Assert.Contains(EventTypes.MemberWritable, back[1].Types());
        Assert.Contains("pg1, failed over from, accepts writes again", back[1].Reason);
        Assert.False(back[2].Changed);
        Assert.Equal("pg2", s.Routable);
    }

    [Fact]
    public void Decide_OperatorRejoinsTheOldPrimary_ItMayBePromotedAgain()
    {
        var s = Running(ServiceState.Initial(Postgres(members: 2, cooldown: TimeSpan.Zero)));
        PrimaryDies(ref s);
        s = Decider.Decide(s, new StepCompleted(new FenceMember("pg1", "pg2", 2), true, "closed"), At(2)).State;
        s = Decider.Decide(s, new StepCompleted(new PromoteMember("pg2", 2), true, "ok"), At(2.1)).State;
        s = Decider.Decide(s, new StepCompleted(new RunHooks(HookTrigger.OnFailover, "pg1", "pg2", 2), true, "0 hooks"), At(2.2)).State;

        var rejoined = Decider.Decide(s, new RejoinFinished("pg1", Actors.Operator, 2, "pg2", true, "rewound"), At(10));

        JournalEvent e = Assert.Single(rejoined.Events);
        Assert.Equal((EventTypes.MemberRejoined, Actors.Operator), (e.Type, e.Actor));
        Assert.False(rejoined.State.Members["pg1"].NeedsRejoin);
        Assert.False(Decider.Decide(rejoined.State, new RejoinFinished("pg1", Actors.Operator, 2, "pg2", true, "rewound"), At(11)).Changed);

        // pg1 streams from pg2 now; when pg2 dies, pg1 takes over (epoch 3).
        s = rejoined.State;
        s = Decider.Decide(s, PgPrimary("pg2", At(12), 20 * MiB), At(12)).State;
        s = Decider.Decide(s, PgStandby("pg1", At(12), 20 * MiB), At(12)).State;
        s = Decider.Decide(s, PgStandby("pg1", At(12.2), 20 * MiB), At(12.2)).State; // rise 2: up again
        s = Decider.Decide(s, Fail("pg2", At(13)), At(13)).State;
        var d = Decider.Decide(s, Fail("pg2", At(13.2)), At(13.2));
        Assert.Contains(EventTypes.FailoverStarted, d.Types());
        Assert.Equal(("pg1", 3L), (d.State.Primary, d.State.Epoch));
    }

    [Fact]
    public void Decide_PrimaryFoundInRecovery_CountsAsAFailedCheck()
    {
        var s = Running(ServiceState.Initial(Postgres()));

        var d = Walk(ref s, (PgStandby("pg1", At(1), 10 * MiB), At(1)), (PgStandby("pg1", At(1.2), 10 * MiB), At(1.2)))[1];

        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], d.Types());
    }

    [Fact]
    public void Decide_PromotionFails_NothingIsRoutable()
    {
        var s = Running(ServiceState.Initial(Postgres()));
        PrimaryDies(ref s);
        s = Decider.Decide(s, new StepCompleted(new FenceMember("pg1", "pg2", 2), true, "closed"), At(2)).State;

        var d = Decider.Decide(s, new StepCompleted(new PromoteMember("pg2", 2), false, "pg_promote timed out"), At(3));

        Assert.Equal([EventTypes.FailoverFailed, EventTypes.AlertRaised], d.Types());
        Assert.Null(d.State.Routable);
    }

    [Fact]
    public void Rebuild_AfterAFailover_RoutesNothingUntilTheJournalsPrimaryIsSeenWritable()
    {
        var spec = Postgres(members: 2);
        var s = ServiceFold.Rebuild(spec, [
            Journaled.Make(T0, spec.Name, "pg2", 2, EventTypes.FailoverStarted, Actors.Controller, System.Collections.Immutable.ImmutableDictionary<string, object?>.Empty.Add("from", "pg1").Add("to", "pg2")),
            Journaled.Make(T0, spec.Name, "pg2", 2, EventTypes.TrafficSwitched, Actors.Controller, System.Collections.Immutable.ImmutableDictionary<string, object?>.Empty),
            Journaled.Make(T0, spec.Name, "pg2", 2, EventTypes.FailoverCompleted, Actors.Controller, System.Collections.Immutable.ImmutableDictionary<string, object?>.Empty),
        ], out _);
        Assert.Equal("pg2", s.Routable);
        s = Decider.Decide(s, Journaled.Restarted, T0).State;
        Assert.Null(s.Routable);

        // The old primary is writable too (it came back): not followed; the journal's primary is.
        var writable = Decider.Decide(s, PgPrimary("pg1", At(1), 100), At(1));
        Assert.Null(writable.State.Routable);
        var confirmed = Decider.Decide(writable.State, PgPrimary("pg2", At(1), 200), At(1));
        Assert.Equal("pg2", confirmed.State.Routable);
    }
}
