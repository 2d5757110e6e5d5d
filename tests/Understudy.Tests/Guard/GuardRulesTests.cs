using Understudy.Core.Guard;

namespace Understudy.Tests.Guard;

/// <summary>When the guard fences and lifts, walked in steps with explicit instants (seconds since the guard started).</summary>
public class GuardRulesTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private readonly GuardRules _rules = new("pg1", Lease);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static GuardView Seen(double now, double? renewed, double? majority = null, int known = 3, CommittedPrimary? log = null) =>
        new(S(now), renewed is { } r ? S(r) : null, majority is { } m ? S(m) : null, known, log);

    /// <summary>Cut off at 10 s (last renewal sent then), fenced at 12 s with the server stopped by the guard.</summary>
    private GuardState FencedAtTwelve()
    {
        GuardDecision d = _rules.Decide(GuardState.Initial, Seen(12, renewed: 10, majority: 9.5));
        Assert.Equal(GuardAction.Fence, d.Action);
        return _rules.Fenced(new StepOutcome(true, true, "pg_ctl stop -m fast exited 0 after 180 ms"), S(12.2)).State;
    }

    [Fact]
    public void Decide_LeaseRenewedWithinLease_DoesNothing()
    {
        GuardDecision d = _rules.Decide(GuardState.Initial, Seen(11.9, renewed: 10));

        Assert.Equal((GuardPhase.Watching, GuardAction.None, null), (d.State.Phase, d.Action, d.Reason));
    }

    [Fact]
    public void Decide_LeaseLostButMajorityAnswers_DoesNotFence()
    {
        // etcd lost by everyone (failsafe): the instances still answer, so the host is not the isolated one.
        GuardDecision d = _rules.Decide(GuardState.Initial, Seen(30, renewed: 10, majority: 29.5));

        Assert.Equal(GuardAction.None, d.Action);
    }

    [Fact]
    public void Decide_NeitherLeaseNorMajorityForTheLease_FencesOnceAndSaysWhy()
    {
        GuardDecision before = _rules.Decide(GuardState.Initial, Seen(11.9, renewed: 10, majority: 9.5));
        Assert.Equal(GuardAction.None, before.Action);

        GuardDecision d = _rules.Decide(GuardState.Initial, Seen(12, renewed: 10, majority: 9.5));

        Assert.Equal((GuardPhase.Fencing, GuardAction.Fence), (d.State.Phase, d.Action));
        Assert.Equal("pg1: no lease renewal and no majority of the 3 known instances answering for 2.0 s (guard lease 2 s): fencing it", d.Reason);
        // While fencing and once fenced, the same isolation fences nothing more.
        Assert.Equal(GuardAction.None, _rules.Decide(d.State, Seen(13, renewed: 10)).Action);
        Assert.Equal(GuardAction.None, _rules.Decide(FencedAtTwelve(), Seen(20, renewed: 10)).Action);
    }

    [Fact]
    public void Decide_NeverConnected_FencesOneLeaseAfterStart()
    {
        Assert.Equal(GuardAction.None, _rules.Decide(GuardState.Initial, Seen(1.9, renewed: null, known: 0)).Action);

        GuardDecision d = _rules.Decide(GuardState.Initial, Seen(2, renewed: null, known: 0));

        Assert.Equal(GuardAction.Fence, d.Action);
        Assert.Contains("no instance known", d.Reason);
    }

    [Fact]
    public void Fenced_FenceFailed_TriesAgainAfterAPause()
    {
        GuardDecision failed = _rules.Fenced(new StepOutcome(false, false, "pg_ctl status exited 4"), S(12));

        Assert.Equal((GuardPhase.Watching, "fencing pg1 failed: pg_ctl status exited 4; trying again"), (failed.State.Phase, failed.Reason));
        Assert.Equal(GuardAction.None, _rules.Decide(failed.State, Seen(12.5, renewed: 10)).Action);
        Assert.Equal(GuardAction.Fence, _rules.Decide(failed.State, Seen(13, renewed: 10)).Action);
    }

    [Fact]
    public void Decide_FencedAndLogNamesItPrimaryWhileLeaseHeld_Lifts()
    {
        GuardState s = FencedAtTwelve();
        var primary = new CommittedPrimary(1, "pg1", false);

        // The log read alone proves nothing while the lease is not held again.
        Assert.Equal(GuardAction.None, _rules.Decide(s, Seen(20, renewed: 10, log: primary)).Action);
        GuardDecision d = _rules.Decide(s, Seen(20, renewed: 19.5, log: primary));

        Assert.Equal((GuardPhase.Lifting, GuardAction.Lift), (d.State.Phase, d.Action));
        Assert.Equal("the log names pg1 primary (epoch 1, primary pg1): lifting its fence", d.Reason);
        GuardDecision lifted = _rules.Lifted(d.State, new StepOutcome(true, false, "pg_ctl start exited 0 after 400 ms"), S(20.5));
        Assert.Equal((GuardPhase.Watching, "pg1's fence lifted: pg_ctl start exited 0 after 400 ms"), (lifted.State.Phase, lifted.Reason));
    }

    [Fact]
    public void Decide_FencedAndLogNamesNoPrimaryYet_StaysFencedSayingItOnce()
    {
        GuardState s = FencedAtTwelve();

        GuardDecision d = _rules.Decide(s, Seen(20, renewed: 19.5, log: new CommittedPrimary(1, null, false)));

        Assert.Equal((GuardPhase.Fenced, GuardAction.None), (d.State.Phase, d.Action));
        Assert.Equal("pg1 stays fenced: the log names no primary yet (epoch 1, no primary named yet)", d.Reason);
        Assert.Null(_rules.Decide(d.State, Seen(21, renewed: 20.5, log: new CommittedPrimary(1, null, false))).Reason);
    }

    [Fact]
    public void Decide_FailedOverMeanwhile_StaysFencedAndNeverStartsIt()
    {
        GuardState s = FencedAtTwelve();

        GuardDecision d = _rules.Decide(s, Seen(20, renewed: 19.5, log: new CommittedPrimary(2, "pg2", false)));

        Assert.Equal((GuardPhase.Fenced, GuardAction.None, false), (d.State.Phase, d.Action, d.State.MayRestart));
        Assert.Equal("pg1 stays fenced: the log names pg2 primary (epoch 2, primary pg2), a failover happened; rejoin pg1 as a standby", d.Reason);
        // Rejoined and made primary again later (a switchover): the operator started it; the guard starts nothing.
        GuardDecision later = _rules.Decide(d.State, Seen(600, renewed: 599.5, log: new CommittedPrimary(4, "pg1", false)));
        Assert.Equal((GuardPhase.Watching, GuardAction.None), (later.State.Phase, later.Action));
    }

    [Fact]
    public void Decide_FencedAServerThatWasNotRunning_NeverStartsIt()
    {
        GuardState s = _rules.Fenced(new StepOutcome(true, false, "PostgreSQL was not running"), S(12)).State;

        GuardDecision d = _rules.Decide(s, Seen(20, renewed: 19.5, log: new CommittedPrimary(1, "pg1", false)));

        Assert.Equal((GuardPhase.Watching, GuardAction.None), (d.State.Phase, d.Action));
        Assert.Equal("the log names pg1 primary (epoch 1, primary pg1); the guard did not stop it, so it starts nothing", d.Reason);
    }

    [Fact]
    public void Decide_NewerRecordsInTheLog_StaysFenced()
    {
        GuardDecision d = _rules.Decide(FencedAtTwelve(), Seen(20, renewed: 19.5, log: new CommittedPrimary(1, "pg1", true)));

        Assert.Equal((GuardPhase.Fenced, GuardAction.None), (d.State.Phase, d.Action));
        Assert.Equal("pg1 stays fenced: the log holds records newer than this guard reads; upgrade it", d.Reason);
    }

    [Fact]
    public void Lifted_StartFailed_StaysFencedAndTriesAgain()
    {
        GuardState lifting = _rules.Decide(FencedAtTwelve(), Seen(20, renewed: 19.5, log: new CommittedPrimary(1, "pg1", false))).State;

        GuardDecision failed = _rules.Lifted(lifting, new StepOutcome(false, false, "pg_ctl start exited 1"), S(21));

        Assert.Equal((GuardPhase.Fenced, true), (failed.State.Phase, failed.State.MayRestart));
        Assert.Equal(GuardAction.None, _rules.Decide(failed.State, Seen(21.5, renewed: 21, log: new CommittedPrimary(1, "pg1", false))).Action);
        Assert.Equal(GuardAction.Lift, _rules.Decide(failed.State, Seen(22, renewed: 21.5, log: new CommittedPrimary(1, "pg1", false))).Action);
    }
}
