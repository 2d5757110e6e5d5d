using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Operators;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

/// <summary>
/// A planned PostgreSQL switchover: drain, stop the old primary cleanly, wait for the target to replay past its shutdown
/// checkpoint, then the next epoch, promote, switch, re-point, and the old primary follows the new one. Called off (and
/// given back) at any point before the epoch advances.
/// </summary>
public class DeciderPostgresSwitchoverTests
{
    private const long MiB = 1024 * 1024;

    /// <summary>pg1's shutdown checkpoint, just past the WAL it was last seen writing.</summary>
    private const long Checkpoint = 10 * MiB + 40;

    private static readonly StopMember Stop = new("pg1", 1);
    private static readonly AwaitReplay Replay = new("pg2", Checkpoint, 1);

    private static StepCompleted Done(Step step, bool ok = true, string detail = "done") => new(step, ok, detail);

    private static StepCompleted StoppedAt(long lsn) => new(Stop, true, "pg_ctl stop -m fast exited 0; cluster state shut down") { Lsn = lsn };

    /// <summary>pg1 writable at 10 MiB, pg2 and pg3 streaming at the given positions; every member up, roles confirmed.</summary>
    private static ServiceState Running(bool synchronous = false, bool dataDirs = true, long pg2 = 10 * MiB, string[]? sync = null, string[]? streaming = null) =>
        Run.Start(synchronous, dataDirs, pg2, sync, streaming).State;

    /// <summary>The journal of every decision so far, to rebuild the state as a restarted controller would.</summary>
    private sealed class Run(ServiceState s)
    {
        public static Run Start(bool synchronous = false, bool dataDirs = true, long pg2 = 10 * MiB, string[]? sync = null, string[]? streaming = null)
        {
            var run = new Run(ServiceState.Initial(Postgres(synchronous: synchronous, dataDirs: dataDirs)));
            run.Decide(PgPrimary("pg1", T0, 10 * MiB, sync: sync, streaming: streaming), 0);
            run.Decide(PgStandby("pg2", T0, pg2), 0);
            run.Decide(PgStandby("pg3", T0, 10 * MiB), 0);
            Assert.Equal("pg1", run.State.Routable);
            if (synchronous) run.State = SyncProven(run.State, 0, 10 * MiB);
            return run;
        }

        public ServiceState State { get; set; } = s;
        public List<JournalEvent> Journal { get; } = [];

        public Decision Decide(Input input, double at)
        {
            var d = Decider.Decide(State, input, At(at));
            Journal.AddRange(d.Events);
            State = d.State;
            return d;
        }

        public ServiceState Rebuilt() => ServiceFold.Rebuild(State.Spec, Journal, out _);
    }

    /// <summary>pg1 → pg2 requested at 1 s, drained at 2 s: pg1 is being stopped.</summary>
    private static Run Stopping()
    {
        var run = Run.Start();
        var started = run.Decide(SwitchoverTo("pg2"), 1);
        Assert.Equal([EventTypes.RequestCreated, EventTypes.RequestExecuting, EventTypes.SwitchoverStarted], started.Types());
        var drain = Assert.IsType<DrainMember>(Assert.Single(started.Plan));
        Assert.Null(run.State.Routable);

        var drained = run.Decide(Done(drain), 2);
        Assert.Equal([EventTypes.SwitchoverStopping], drained.Types());
        Assert.Equal<Step>([Stop], drained.Plan);
        Assert.Equal((FailoverStage.Stopping, "pg1", 1L, (string?)null), (run.State.Failover!.Stage, run.State.Primary, run.State.Epoch, run.State.Routable));
        return run;
    }

    /// <summary>pg1 stopped at its checkpoint at 2.5 s, and seen down by its checks: waiting for pg2 to replay past it.</summary>
    private static Run CatchingUp()
    {
        var run = Stopping();
        var stopped = run.Decide(StoppedAt(Checkpoint), 2.5);
        Assert.Equal([EventTypes.MemberStopped], stopped.Types());
        Assert.Equal<Step>([Replay], stopped.Plan);
        Assert.Equal((FailoverStage.CatchingUp, (long?)Checkpoint), (run.State.Failover!.Stage, run.State.Failover.CheckpointLsn));

        // The stopped primary fails its checks: nothing is failed over while the switchover holds it.
        run.Decide(Fail("pg1", At(2.6)), 2.6);
        var down = run.Decide(Fail("pg1", At(2.8)), 2.8);
        Assert.Equal([EventTypes.MemberDown], down.Types());
        Assert.Empty(down.Plan);
        return run;
    }

    [Fact]
    public void Decide_SwitchoverStepByStep_StopsCatchesUpPromotesSwitchesAndTheOldPrimaryFollows()
    {
        var run = CatchingUp();

        var caughtUp = run.Decide(Done(Replay, detail: "pg2 replayed to 0/A00030 in 40 ms"), 3);
        Assert.Equal([EventTypes.MemberFenced], caughtUp.Types());
        Assert.Equal(("pg1", "pg1", "pg2", 2L), (caughtUp.Events[0].Member, caughtUp.Events[0].Detail("from"), caughtUp.Events[0].Detail("to"), caughtUp.Events[0].Epoch));
        var fence = new FenceMember("pg1", "pg2", 2, Planned: true);
        Assert.Equal<Step>([fence], caughtUp.Plan);
        Assert.Equal(("pg2", (string?)null, 2L), (run.State.Primary, run.State.Routable, run.State.Epoch));

        var fenced = run.Decide(Done(fence), 3.1);
        Assert.Equal([EventTypes.MemberFenced], fenced.Types());
        Assert.Equal<Step>([new PromoteMember("pg2", 2)], fenced.Plan);

        var promoted = run.Decide(Done(fenced.Plan[0], detail: "pg_promote took 80 ms"), 3.2);
        Assert.Equal([EventTypes.MemberPromoted, EventTypes.TrafficSwitched], promoted.Types());
        var follow = new FollowPrimary("pg1", "pg2", 2);
        var hooks = new RunHooks(HookTrigger.OnSwitchover, "pg1", "pg2", 2);
        Assert.Equal<Step>([new RepointStandbys("pg2", ["pg3"], 2), follow, hooks], promoted.Plan);
        Assert.Equal(new TrafficRoute(2, "pg2", Hold: false, TargetDown: false), Routing.For(run.State));

        run.Decide(Done(promoted.Plan[0]), 3.3);
        var followed = run.Decide(Done(follow, detail: "standby.signal written, pg_ctl start exited 0"), 3.5);
        Assert.Equal([EventTypes.MemberFollowing], followed.Types());
        Assert.Equal(("pg2", true), (followed.Events[0].Detail("primary"), (bool)followed.Events[0].Details["succeeded"]!));
        Assert.False(run.State.Members["pg1"].NeedsRejoin);

        var done = run.Decide(Done(hooks), 3.6);
        Assert.Equal([EventTypes.SwitchoverCompleted, EventTypes.RequestCompleted, EventTypes.AlertRaised], done.Types());
        Assert.Equal(2600L, done.Event(EventTypes.SwitchoverCompleted).Details["duration_ms"]);
        Assert.Null(run.State.Failover);
        Assert.Null(run.State.LastFailoverAt);

        // pg1 back as a streaming standby of pg2 is a candidate at once: no rejoin, no cooldown.
        run.Decide(PgPrimary("pg2", At(4), 11 * MiB, streaming: ["pg1", "pg3"]), 4);
        run.Decide(PgStandby("pg1", At(4), 11 * MiB), 4);
        run.Decide(PgStandby("pg1", At(4.2), 11 * MiB), 4.2);
        Assert.True(Candidates.IsPromotable(run.State, run.State.Members["pg1"], out string why), why);
        Assert.Equal(Journaled.Durable(run.State), Journaled.Durable(run.Rebuilt()));
    }

    [Fact]
    public void Decide_TargetDoesNotCatchUp_StartsTheOldPrimaryAgainAndGivesItItsTrafficBackInTheSameEpoch()
    {
        var run = CatchingUp();

        var late = run.Decide(Done(Replay, ok: false, detail: "pg2 replayed only to 0/9F0000 within 30 s"), 33);
        Assert.Equal([EventTypes.SwitchoverGivingBack], late.Types());
        Assert.Contains("pg2 did not replay past pg1's shutdown checkpoint 0/A00028", late.Reason);
        Assert.Equal<Step>([new StartMember("pg1", 1)], late.Plan);
        Assert.Equal((FailoverStage.GivingBack, 1L, (string?)null), (run.State.Failover!.Stage, run.State.Epoch, run.State.Routable));

        var back = run.Decide(Done(late.Plan[0], detail: "pg_ctl start exited 0"), 34);
        Assert.Equal([EventTypes.SwitchoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised], back.Types());
        Assert.Equal("warning", back.Event(EventTypes.AlertRaised).Detail("severity"));
        Assert.Equal(("pg1", "pg1", 1L), (run.State.Primary, run.State.Routable, run.State.Epoch));
        Assert.Null(run.State.Failover);
        // Its checks while stopped are stale: health is learned anew, and nothing is failed over meanwhile.
        Assert.Equal(Health.Unknown, run.State.Members["pg1"].Health);
        Assert.DoesNotContain(EventTypes.FailoverStarted, back.Types());
        Assert.Equal(new TrafficRoute(1, "pg1", Hold: false, TargetDown: false), Routing.For(run.State));

        var up = run.Decide(PgPrimary("pg1", At(34.2), 10 * MiB + 100), 34.2);
        Assert.Equal([EventTypes.MemberUp], up.Types());
        Assert.Equal(Journaled.Durable(run.State), Journaled.Durable(run.Rebuilt()));
    }

    [Fact]
    public void Decide_StopFails_GivesTrafficBackWithoutWaitingForReplay()
    {
        var run = Stopping();

        var failed = run.Decide(Done(Stop, ok: false, detail: "pg_ctl stop exited 1"), 3);

        Assert.Equal([EventTypes.SwitchoverGivingBack], failed.Types());
        Assert.Contains("stopping pg1 cleanly failed (pg_ctl stop exited 1)", failed.Reason);
        Assert.Equal<Step>([new StartMember("pg1", 1)], failed.Plan);
    }

    [Fact]
    public void Decide_TargetDownWhenCaughtUp_GivesBack()
    {
        var run = CatchingUp();
        run.Decide(Fail("pg2", At(2.9)), 2.9);
        run.Decide(Fail("pg2", At(2.95)), 2.95);

        var d = run.Decide(Done(Replay), 3);

        Assert.Equal([EventTypes.SwitchoverGivingBack], d.Types());
        Assert.Contains("pg2 is down after catching up", d.Reason);
        Assert.Equal(1L, run.State.Epoch);
    }

    [Fact]
    public void Decide_OldPrimaryDoesNotStartAgain_ItIsAPrimaryThatIsDownAndTheFailoverRulesApply()
    {
        var run = CatchingUp();
        var late = run.Decide(Done(Replay, ok: false, detail: "timed out"), 33);

        var d = run.Decide(Done(late.Plan[0], ok: false, detail: "pg_ctl start exited 1"), 34);

        // Nothing routable, the roles read from the servers again; pg1 is down, so (automatic mode) the best standby within max_lag takes over.
        Assert.Equal([EventTypes.SwitchoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised, EventTypes.FailoverStarted], d.Types());
        Assert.Equal("critical", d.Events[2].Detail("severity"));
        Assert.Equal(("pg2", 2L), (run.State.Primary, run.State.Epoch));
        Assert.True(run.State.Members["pg1"].NeedsRejoin);
    }

    [Fact]
    public void Decide_OldPrimaryDoesNotStartAgainAndNoStandbyMayTakeOver_RoutedOnceStartedByHand()
    {
        var run = CatchingUp();
        var late = run.Decide(Done(Replay, ok: false, detail: "timed out"), 33);
        run.Decide(Fail("pg2", At(33.1)), 33.1);
        run.Decide(Fail("pg2", At(33.2)), 33.2);
        run.Decide(PgStandby("pg3", At(33.3), 5 * MiB), 33.3);

        var d = run.Decide(Done(late.Plan[0], ok: false, detail: "pg_ctl start exited 1"), 34);

        Assert.Equal([EventTypes.SwitchoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised, EventTypes.ServiceDegraded, EventTypes.AlertRaised], d.Types());
        Assert.Equal(("pg1", (string?)null, 1L), (run.State.Primary, run.State.Routable, run.State.Epoch));
        run.Decide(PgPrimary("pg1", At(40), 10 * MiB + 100), 40);
        var seen = run.Decide(PgPrimary("pg1", At(40.2), 10 * MiB + 100), 40.2);
        Assert.Equal([EventTypes.MemberUp, EventTypes.MemberRole, EventTypes.ServiceRestored], seen.Types());
        Assert.Equal("pg1", run.State.Routable);
    }

    [Fact]
    public void Decide_PromotionFailsAfterTheEpochAdvanced_NothingRoutableAndTheStoppedPrimaryIsNotHandedBack()
    {
        var run = CatchingUp();
        var caughtUp = run.Decide(Done(Replay), 3);
        var fenced = run.Decide(Done(caughtUp.Plan[0]), 3.1);

        var d = run.Decide(Done(fenced.Plan[0], ok: false, detail: "pg_promote did not finish within 30 s"), 33);

        Assert.Equal([EventTypes.SwitchoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Contains("pg1 was stopped for it, so nothing is routable until pg2 is seen writable", d.Reason);
        Assert.Equal(("pg2", (string?)null, 2L), (run.State.Primary, run.State.Routable, run.State.Epoch));
        Assert.Empty(d.Plan);
    }

    [Fact]
    public void Decide_OldPrimaryCannotFollow_NeedsRejoinAndAlerts()
    {
        var run = CatchingUp();
        var caughtUp = run.Decide(Done(Replay), 3);
        var fenced = run.Decide(Done(caughtUp.Plan[0]), 3.1);
        var promoted = run.Decide(Done(fenced.Plan[0]), 3.2);
        var follow = promoted.Plan.OfType<FollowPrimary>().Single();

        var d = run.Decide(Done(follow, ok: false, detail: "pg_ctl start exited 1"), 3.5);

        Assert.Equal([EventTypes.MemberFollowing, EventTypes.AlertRaised], d.Types());
        Assert.Contains("understudy rejoin orders-db pg1", d.Reason);
        Assert.True(run.State.Members["pg1"].NeedsRejoin);
        Assert.Equal(Journaled.Durable(run.State), Journaled.Durable(run.Rebuilt()));
    }

    [Fact]
    public void Decide_ControllerRestartedAtEachStage_ResumesWithoutEverPromotingBeforeTheStop()
    {
        // Stopping: the stop may or may not have happened, so it is done again (idempotent).
        var stopping = Stopping();
        var d = Decider.Decide(stopping.Rebuilt(), Journaled.Restarted, At(5));
        Assert.Equal([EventTypes.ControllerStarted, EventTypes.FailoverResumed], d.Types());
        Assert.Equal<Step>([Stop], d.Plan);

        // Catching up: the checkpoint is in the journal; the wait starts again.
        var catching = CatchingUp();
        d = Decider.Decide(catching.Rebuilt(), Journaled.Restarted, At(5));
        Assert.Equal<Step>([Replay], d.Plan);
        Assert.Null(d.State.Routable);

        // Giving back: pg1 is started again (a running server counts as started), then routed once seen writable.
        catching.Decide(Done(Replay, ok: false, detail: "timed out"), 33);
        d = Decider.Decide(catching.Rebuilt(), Journaled.Restarted, At(40));
        Assert.Equal<Step>([new StartMember("pg1", 1)], d.Plan);
        var back = Decider.Decide(d.State, Done(d.Plan[0]), At(41));
        Assert.Equal(("pg1", (string?)null), (back.State.Primary, back.State.Routable));
        Assert.Equal("pg1", Decider.Decide(back.State, PgPrimary("pg1", At(42), 10 * MiB), At(42)).State.Routable);

        // Past the epoch's advance: pg1 was stopped before it, so promotion resumes.
        var past = CatchingUp();
        past.Decide(Done(Replay), 3);
        d = Decider.Decide(past.Rebuilt(), Journaled.Restarted, At(5));
        Assert.Equal<Step>([new FenceMember("pg1", "pg2", 2, Planned: true)], d.Plan);
        var fenced = Decider.Decide(d.State, Done(d.Plan[0]), At(5.1));
        Assert.Equal<Step>([new PromoteMember("pg2", 2)], fenced.Plan);
    }

    [Fact]
    public void Decide_SwitchoverRequests_RefusedWithTheReason()
    {
        static void Refused(ServiceState s, string to, string why)
        {
            var d = Decider.Decide(s, SwitchoverTo(to), At(1));
            AssertRefused(d, RefusalKind.Conflict, "alice", Id, $"switchover of orders-db refused: {why}");
            Assert.Null(d.State.Failover);
        }

        Refused(Running(dataDirs: false), "pg2",
            "a PostgreSQL switchover stops pg1 with pg_ctl on its data directory, and pg1 has no data_dir: set members[].data_dir (the controller must run on its host), or stop pg1 yourself and request a failover");
        Refused(Running(pg2: 8 * MiB), "pg2", "pg2 cannot take over: lag 2 MiB > max_lag 1 MiB");
        Refused(Running(streaming: ["pg3"]), "pg2", "pg2 cannot take over: it was not streaming from pg1 when last seen");
        Refused(Running(synchronous: true, sync: ["pg2"]), "pg3", "pg3 cannot take over: not the synchronous standby (pg2 is)");
        var s = Running();
        s = Decider.Decide(s, Fail("pg2", At(0.5)), At(0.5)).State;
        s = Decider.Decide(s, Fail("pg2", At(0.7)), At(0.7)).State;
        Refused(s, "pg2", "pg2 cannot take over: it is down");
    }

    [Fact]
    public void Decide_SynchronousStandbyAsTarget_IsAccepted()
    {
        var s = Running(synchronous: true, sync: ["pg2"]);

        var d = Decider.Decide(s, SwitchoverTo("pg2"), At(1));

        Assert.Null(d.Refused);
        Assert.Contains(EventTypes.SwitchoverStarted, d.Types());
    }

    [Fact]
    public void Decide_TargetFellBeyondMaxLagDuringTheDrain_AbandonsBeforeStopping()
    {
        var run = Run.Start();
        var started = run.Decide(SwitchoverTo("pg2"), 1);
        run.Decide(PgPrimary("pg1", At(1.5), 14 * MiB), 1.5);

        var d = run.Decide(Done(started.Plan[0]), 2);

        Assert.Equal([EventTypes.SwitchoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Contains("pg2 cannot take over after the drain: lag 4 MiB > max_lag 1 MiB", d.Reason);
        Assert.Equal(("pg1", "pg1", 1L), (run.State.Primary, run.State.Routable, run.State.Epoch));
        Assert.Empty(d.Plan);
    }

    [Fact]
    public void Steps_PostgresSwitchover_SaysItStopsWaitsPromotesAndFollows()
    {
        var steps = ChangeChecks.Steps(Running(), RequestKind.Switchover, "pg2", "alice");

        Assert.Contains(steps, s => s.StartsWith("stop pg1 cleanly (pg_ctl stop -m fast)", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("wait up to 30 s for pg2 to replay past that checkpoint", StringComparison.Ordinal));
        Assert.Contains("re-point pg3 at pg2", steps);
        Assert.Contains("start pg1 as a standby of pg2 (standby.signal, primary_conninfo): a candidate again at once", steps);
    }
}
