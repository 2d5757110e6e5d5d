using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

/// <summary>Issue 13, item 7: a required fence hook that fails stops the failover before promotion, until an operator forces it.</summary>
public class DeciderFenceTests
{
    private const long MiB = 1024 * 1024;

    private static readonly HookSpec Stop = new(["stop-old", "{{old_primary}}"], TimeSpan.FromSeconds(10));
    private static readonly HookSpec Audit = new(["audit"], TimeSpan.FromSeconds(10), Required: false);

    private static ServiceSpec Spec(int approvals = 0, params HookSpec[] fence) => Postgres() with
    {
        Hooks = HooksSpec.None with { Fence = [.. fence.Length == 0 ? [Stop, Audit] : fence] },
        Failover = Postgres().Failover with { Approvals = approvals },
    };

    /// <summary>pg1 writable, pg2 and pg3 streaming; then pg1 fails twice: the failover to pg2 starts and plans its fence.</summary>
    private static ServiceState FailingOver(ServiceSpec spec)
    {
        var s = ServiceState.Initial(spec);
        Walk(ref s, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0), (PgStandby("pg3", T0, 10 * MiB - 10), T0),
            (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2)));
        Assert.Equal(("pg2", FailoverStage.Fencing), (s.Primary, s.Failover?.Stage));
        return s;
    }

    private static HookFinished Hook(int index, bool ok, string command = "stop-old pg1") =>
        new(HookTrigger.Fence, "pg2", 2, index, new HookOutcome(command, ok, ok ? 0 : 1, false, TimeSpan.FromMilliseconds(30), ok ? "" : "ssh: no route to host",
            ok ? "exited 0 after 30 ms" : "exited 1 after 30 ms"));

    private static StepCompleted Fenced => new(new FenceMember("pg1", "pg2", 2), true, "0 open connections closed by the proxy; 1 of 2 fence hooks succeeded");

    private static ServiceState Blocked(ServiceSpec spec)
    {
        var s = FailingOver(spec);
        Walk(ref s, (Hook(0, false), At(2)), (Hook(1, true, "audit"), At(2)), (Fenced, At(2)));
        return s;
    }

    [Fact]
    public void Decide_RequiredFenceHookFails_StopsBeforePromotionDegradedAndAlerted()
    {
        var s = FailingOver(Spec());

        var failed = Decider.Decide(s, Hook(0, false), At(2));
        Assert.Equal([EventTypes.HookFailed], failed.Types());
        Assert.Equal(("True", "critical"), (failed.Events[0].Detail("required"), failed.Events[0].Detail("severity")));
        s = failed.State;
        Walk(ref s, (Hook(1, true, "audit"), At(2)));

        var d = Decider.Decide(s, Fenced, At(2.1));

        Assert.Equal([EventTypes.FailoverBlocked, EventTypes.AlertRaised], d.Types());
        Assert.Empty(d.Plan);
        Assert.Equal(FailoverStage.FenceFailed, d.State.Failover?.Stage);
        Assert.True(d.State.Degraded);
        Assert.StartsWith("the failover from pg1 to pg2 stopped before promotion: a required fence hook failed (fence hook 1 `stop-old pg1` exited 1", d.State.HoldReason);
        Assert.Contains("understudy failover orders-db --force", d.State.HoldReason);
        Assert.Equal("critical", ((AlertRaised)d.Events[1]).Severity);
        Assert.Null(d.State.Routable);
        // Nothing automatic ends it within a client's wait: new connections fail at once instead of being held.
        Assert.False(Routing.For(d.State).Hold);
    }

    [Fact]
    public void Decide_OnlyANonRequiredFenceHookFails_PromotesAsBefore()
    {
        var s = FailingOver(Spec());

        var d = Walk(ref s, (Hook(0, true), At(2)), (Hook(1, false, "audit"), At(2)), (Fenced, At(2)));

        Assert.Equal(("False", "warning"), (d[1].Events[0].Detail("required"), d[1].Events[0].Detail("severity")));
        Assert.Contains("it is not required, so the failover goes on", d[1].Reason);
        Assert.Equal([EventTypes.MemberFenced], d[2].Types());
        Assert.Equal<Step>([new PromoteMember("pg2", 2)], d[2].Plan);
    }

    [Fact]
    public void Decide_StoppedAtTheFence_NothingRetriesIt()
    {
        var s = Blocked(Spec());

        var later = Walk(ref s, (PgStandby("pg2", At(3), 10 * MiB), At(3)), (new ClockTicked(), At(600)), (Fail("pg1", At(601)), At(601)),
            (PgStandby("pg3", At(602), 10 * MiB), At(602)));

        Assert.All(later, d => Assert.Empty(d.Plan));
        Assert.All(later, d => Assert.DoesNotContain(d.Events, e => e.Type is EventTypes.FailoverStarted or EventTypes.MemberPromoted or EventTypes.MemberFenced));
        Assert.Equal(FailoverStage.FenceFailed, s.Failover?.Stage);
    }

    [Fact]
    public void Decide_RestartedWhileStoppedAtTheFence_DoesNotFenceOrPromote()
    {
        var spec = Spec();
        var s = FailingOver(spec);
        var events = new List<JournalEvent>();
        foreach (Input input in new Input[] { Hook(0, false), Hook(1, true, "audit"), Fenced })
        {
            var step = Decider.Decide(s, input, At(2));
            events.AddRange(step.Events);
            s = step.State;
        }
        var rebuilt = ServiceFold.Rebuild(spec, [.. FailoverStartEvents(spec), .. events], out string? error);
        Assert.Null(error);

        var d = Decider.Decide(rebuilt, Journaled.Restarted, At(5));

        Assert.Equal([EventTypes.ControllerStarted, EventTypes.FailoverResumed], d.Types());
        Assert.Empty(d.Plan);
        Assert.Contains("stays stopped at its failed fence", d.Reason);
        Assert.Equal(FailoverStage.FenceFailed, d.State.Failover?.Stage);
    }

    [Fact]
    public void Decide_FenceRunAgainAfterARestart_CountsOnlyTheLatestRun()
    {
        // The first run's required hook failed, then the controller died before the fence step ended; the re-run succeeds.
        var s = FailingOver(Spec());
        Walk(ref s, (Hook(0, false), At(2)), (Journaled.Restarted, At(3)));

        var d = Walk(ref s, (Hook(0, true), At(4)), (Hook(1, true, "audit"), At(4)), (Fenced, At(4)));

        Assert.Equal([EventTypes.MemberFenced], d[2].Types());
        Assert.Equal<Step>([new PromoteMember("pg2", 2)], d[2].Plan);
    }

    [Fact]
    public void Decide_OperatorForces_JournaledAsAcceptingTheRiskThenPromotesAndCompletes()
    {
        var s = Blocked(Spec());
        s = Decider.Decide(s, PgStandby("pg2", At(3), 10 * MiB), At(3)).State;

        var d = Decider.Decide(s, Force(), At(4));

        Assert.Equal([EventTypes.RequestCreated, EventTypes.RequestExecuting, EventTypes.FailoverForced, EventTypes.AlertRaised, EventTypes.MemberFenced], d.Types());
        var created = (RequestCreated)d.Events[0];
        Assert.Equal(("pg1", "pg2", true), (created.From, created.To, created.Force));
        JournalEvent forced = d.Event(EventTypes.FailoverForced);
        Assert.Equal("alice", forced.Actor);
        Assert.Contains("alice forced the failover from pg1 to pg2 past its failed fence (request r-1: pg1 powered off by hand), accepting the risk that pg1 still runs", forced.Reason);
        Assert.StartsWith("fence hook 1 `stop-old pg1` exited 1", forced.Detail("failure"));
        Assert.Equal<Step>([new PromoteMember("pg2", 2)], d.Plan);
        Assert.False(d.State.Degraded);
        Assert.Null(d.State.HoldReason);

        var promoted = Decider.Decide(d.State, new StepCompleted(new PromoteMember("pg2", 2), true, "pg_promote in 80 ms"), At(5));
        Assert.Equal("pg2", promoted.State.Routable);
        var done = Decider.Decide(promoted.State, new StepCompleted(promoted.Plan.OfType<RunHooks>().Single(), true, "0 hooks"), At(5));
        Assert.Contains(EventTypes.FailoverCompleted, done.Types());
        Assert.Equal("request r-1: failover from pg1 to pg2 completed in epoch 2", done.Event(EventTypes.RequestCompleted).Reason);
    }

    [Fact]
    public void Decide_ForceWithApprovals_WaitsForThem()
    {
        var s = Blocked(Spec(approvals: 1));
        s = Decider.Decide(s, PgStandby("pg2", At(3), 10 * MiB), At(3)).State;

        var asked = Decider.Decide(s, Force(), At(4));
        Assert.Equal([EventTypes.RequestCreated, EventTypes.AlertRaised], asked.Types());
        Assert.Contains("alice requests a forced failover of orders-db from pg1 to pg2", asked.Reason);
        Assert.Empty(asked.Plan);

        var approved = Decider.Decide(asked.State, Operators.Approve("bob"), At(5));
        Assert.Contains(EventTypes.FailoverForced, approved.Types());
        Assert.Contains("approved by bob", approved.Event(EventTypes.FailoverForced).Reason);
        Assert.Equal<Step>([new PromoteMember("pg2", 2)], approved.Plan);
    }

    [Fact]
    public void Decide_ForceWithoutAFailedFence_IsRefused()
    {
        var spec = Spec();
        var running = ServiceState.Initial(spec);
        Walk(ref running, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0), (PgStandby("pg3", T0, 10 * MiB), T0));
        var blocked = Blocked(spec);
        blocked = Decider.Decide(blocked, PgStandby("pg2", At(3), 10 * MiB), At(3)).State;

        Operators.AssertRefused(Decider.Decide(running, Force(), At(4)), RefusalKind.Conflict, "alice", "r-1",
            "forced failover of orders-db refused: primary pg1 is not down");
        Operators.AssertRefused(Decider.Decide(blocked, Force(to: "pg3"), At(4)), RefusalKind.Conflict, "alice", "r-1",
            "the failover stopped at its fence is to pg2; force carries on that one, not one to pg3");
        Operators.AssertRefused(Decider.Decide(blocked, Force() with { Kind = RequestKind.Switchover }, At(4)), RefusalKind.Conflict, "alice", "r-1",
            "force applies to a failover only");
        var pg2Down = Walk(ref blocked, (Fail("pg2", At(5)), At(5)), (Fail("pg2", At(5.2)), At(5.2)))[1].State;
        Operators.AssertRefused(Decider.Decide(pg2Down, Force(), At(6)), RefusalKind.Conflict, "alice", "r-1", "pg2 is down: it cannot be promoted now");
    }

    [Fact]
    public void Decide_RequestedFailoverStoppedAtTheFence_FailsTheRequest()
    {
        var spec = Spec();
        var s = ServiceState.Initial(spec with { Failover = spec.Failover with { Mode = FailoverMode.Manual } });
        Walk(ref s, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0), (PgStandby("pg3", T0, 10 * MiB - 10), T0),
            (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2)));
        s = Decider.Decide(s, new ChangeRequested("r-0", RequestKind.Failover, "pg2", "pg1 is gone", "alice"), At(1.5)).State;

        var d = Walk(ref s, (Hook(0, false), At(2)), (Hook(1, true, "audit"), At(2)), (Fenced, At(2)))[2];

        Assert.Equal([EventTypes.FailoverBlocked, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Null(d.State.Request);
        Assert.Equal("r-0", d.State.Failover?.Request);
    }

    private static ChangeRequested Force(string? to = null) => new(Operators.Id, RequestKind.Failover, to, "pg1 powered off by hand", "alice", Force: true);

    /// <summary>The events that took the service from its start to the fence, as <see cref="FailingOver"/> made them.</summary>
    private static List<JournalEvent> FailoverStartEvents(ServiceSpec spec)
    {
        var s = ServiceState.Initial(spec);
        return [.. Walk(ref s, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0), (PgStandby("pg3", T0, 10 * MiB - 10), T0),
            (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2))).SelectMany(d => d.Events)];
    }
}
