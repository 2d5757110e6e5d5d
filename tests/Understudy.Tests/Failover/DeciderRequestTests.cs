using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Operators;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

/// <summary>Operator requests (rule 6), their expiry, rejection and re-validation, and pause (rule 4).</summary>
public class DeciderRequestTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>Three members all up; alice's switchover to web-b awaits <paramref name="approvals"/> approvals.</summary>
    private static ServiceState Requested(int approvals = 1, FailoverMode mode = FailoverMode.Automatic)
    {
        var s = AllUp(Http(members: 3, approvals: approvals, approvalTimeout: Window, mode: mode), T0);
        return Decider.Decide(s, SwitchoverTo("web-b"), At(1)).State;
    }

    // ---- refusals: checked when asked, journaled with who asked -------------------------------------

    [Fact]
    public void Decide_RequestWhilePaused_RefusedAsConflict()
    {
        var s = AllUp(Http(), T0);
        s = Decider.Decide(s, Pause("carol"), At(1)).State;

        var d = Decider.Decide(s, SwitchoverTo("web-b"), At(2));

        AssertRefused(d, RefusalKind.Conflict, "alice", Id, "web is paused by carol (database upgrade)");
        Assert.Null(d.State.Request);
    }

    [Fact]
    public void Decide_RequestWhileAFailoverIsUnderWay_RefusedAsConflict()
    {
        var s = AllUp(Http(members: 3), T0);
        Down(ref s, "web-a", At(1));
        Assert.NotNull(s.Failover);

        var d = Decider.Decide(s, FailoverTo("web-c"), At(2));

        AssertRefused(d, RefusalKind.Conflict, "alice", Id, "a failover from web-a to web-b is under way");
        Assert.Equal(s.Failover, d.State.Failover);
    }

    [Fact]
    public void Decide_RequestWhileAnotherIsOpen_RefusedAsConflictNamingTheOpenOne()
    {
        var s = Requested();

        var d = Decider.Decide(s, SwitchoverTo("web-c", by: "bob", id: "r-2"), At(2));

        AssertRefused(d, RefusalKind.Conflict, "bob", "r-2", "request r-1 (switchover to web-b by alice) is awaiting approval");
        Assert.Equal(Id, d.State.Request!.Id);
    }

    [Fact]
    public void Decide_SwitchoverWhilePrimaryDown_RefusedAsConflict()
    {
        var s = AllUp(Http(mode: FailoverMode.Manual), T0);
        Down(ref s, "web-a", At(1));

        var d = Decider.Decide(s, SwitchoverTo("web-b"), At(2));

        AssertRefused(d, RefusalKind.Conflict, "alice", Id, "primary web-a is not up and receiving traffic (health down)");
        Assert.Equal(1, d.State.Epoch);
    }

    [Fact]
    public void Decide_FailoverWhilePrimaryUp_RefusedAsConflict()
    {
        var d = Decider.Decide(AllUp(Http(), T0), FailoverTo("web-b"), At(1));

        AssertRefused(d, RefusalKind.Conflict, "alice", Id, "primary web-a is not down (health up)");
        Assert.Equal(("web-a", "web-a", 1L), (d.State.Primary, d.State.Routable, d.State.Epoch));
    }

    public static TheoryData<string, string> Unpromotable => new()
    {
        { "down", "web-b cannot take over: it is down" },
        { "unchecked", "web-b cannot take over: it has not passed a check yet" },
        { "nofailover", "web-b cannot take over: nofailover is set" },
        { "primary", "web-a cannot take over: it is the primary" },
        { "unknown", "web has no member 'web-x' (members: web-a, web-b, web-c)" },
    };

    [Theory]
    [MemberData(nameof(Unpromotable))]
    public void Decide_SwitchoverToAMemberThatCannotTakeOver_RefusedAsConflict(string target, string why)
    {
        var spec = Http(members: 3, noFailover: target == "nofailover" ? "web-b" : null);
        var s = ServiceState.Initial(spec);
        Walk(ref s, (Ok("web-a", T0), T0), (Ok("web-c", T0), T0));
        if (target != "unchecked") s = Decider.Decide(s, Ok("web-b", T0), T0).State;
        if (target == "down") Down(ref s, "web-b", At(1));
        string to = target switch { "primary" => "web-a", "unknown" => "web-x", _ => "web-b" };

        var d = Decider.Decide(s, SwitchoverTo(to), At(2));

        AssertRefused(d, RefusalKind.Conflict, "alice", Id, why);
        Assert.Null(d.State.Request);
    }

    [Fact]
    public void Decide_FailoverToAMemberThatNeedsRejoin_RefusedAsConflict()
    {
        // web-a was failed over from (epoch 2) and is back up; web-b dies within the cooldown, so only a person can act.
        var s = AllUp(Http(members: 3, cooldown: TimeSpan.FromHours(1)), T0);
        Down(ref s, "web-a", At(1));
        s = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "closed"), At(2)).State;
        Walk(ref s, (Ok("web-a", At(3)), At(3)), (Ok("web-a", At(3.2)), At(3.2)));
        Down(ref s, "web-b", At(4));
        Assert.Contains("cooldown", s.HoldReason);

        var d = Decider.Decide(s, FailoverTo("web-a"), At(5));

        AssertRefused(d, RefusalKind.Conflict, "alice", Id, "web-a cannot take over: it was failed over from and needs an operator to rejoin it");
        Assert.Equal(2, d.State.Epoch);
    }

    // ---- approvals (rule 6) --------------------------------------------------------------------------

    [Fact]
    public void Decide_RequestNeedingApproval_WaitsWithAnAlertAndChangesNothing()
    {
        var s = AllUp(Http(members: 3, approvals: 1, approvalTimeout: Window), T0);

        var d = Decider.Decide(s, SwitchoverTo(to: null), At(1));

        Assert.Equal([EventTypes.RequestCreated, EventTypes.AlertRaised], d.Types());
        Assert.Empty(d.Plan);
        Assert.Null(d.Refused);
        var created = d.Event(EventTypes.RequestCreated);
        Assert.Equal("alice", created.Actor);
        Assert.Equal(("switchover", "web-a", "web-b", "1"), (created.Detail("kind"), created.Detail("from"), created.Detail("to"), created.Detail("approvals_needed")));
        // ApprovedBy is an ImmutableArray, equal only to itself: it is checked apart, just below.
        Assert.Equal(new OperatorRequest(Id, RequestKind.Switchover, "web-a", "web-b", "move off web-a for a kernel update", "alice", At(1), At(1) + Window, 1, [],
            RequestState.AwaitingApproval) with { ApprovedBy = d.State.Request!.ApprovedBy }, d.State.Request);
        Assert.Empty(d.State.Request.ApprovedBy);
        Assert.Equal(("web-a", "web-a", 1L), (d.State.Primary, d.State.Routable, d.State.Epoch));
        Assert.Null(d.State.Failover);
    }

    [Fact]
    public void Decide_RequesterApprovesOwnRequest_RefusedAsForbiddenAndJournaled()
    {
        var d = Decider.Decide(Requested(), Approve("alice"), At(2));

        AssertRefused(d, RefusalKind.Forbidden, "alice", Id, "alice made request r-1 and cannot approve it");
        Assert.Empty(d.State.Request!.ApprovedBy);
        Assert.Equal(RequestState.AwaitingApproval, d.State.Request.State);
    }

    [Fact]
    public void Decide_SecondPersonApproves_ExecutesAsTheRequester()
    {
        var d = Decider.Decide(Requested(), Approve("bob"), At(2));

        Assert.Equal([EventTypes.RequestApproved, EventTypes.RequestExecuting, EventTypes.SwitchoverStarted], d.Types());
        Assert.Equal(["bob", "alice", "alice"], d.Events.Select(e => e.Actor));
        Assert.Equal(Id, d.Event(EventTypes.SwitchoverStarted).Detail("request"));
        Assert.Equal<Step>([new DrainMember("web-a", ProxyDefaults.DrainTimeout, 1)], d.Plan);
        Assert.Equal(RequestState.Executing, d.State.Request!.State);
        Assert.Equal(["bob"], d.State.Request.ApprovedBy.ToArray());
    }

    [Fact]
    public void Decide_ApprovedAgainWhileExecuting_RefusedAsConflict()
    {
        var s = Decider.Decide(Requested(), Approve("bob"), At(2)).State;

        var d = Decider.Decide(s, Approve("carol"), At(3));

        AssertRefused(d, RefusalKind.Conflict, "carol", Id, "request r-1 is already approved and executing");
        Assert.Equal(s.Failover, d.State.Failover);
    }

    [Fact]
    public void Decide_TwoApprovalsNeeded_WaitsForTwoDistinctPeople()
    {
        var s = Requested(approvals: 2);

        var first = Decider.Decide(s, Approve("bob"), At(2));
        Assert.Equal([EventTypes.RequestApproved], first.Types());
        Assert.Equal(("1", "2"), (first.Events[0].Detail("approvals"), first.Events[0].Detail("approvals_needed")));
        Assert.Null(first.State.Failover);

        var again = Decider.Decide(first.State, Approve("bob"), At(3));
        AssertRefused(again, RefusalKind.Conflict, "bob", Id, "bob has already approved request r-1");
        Assert.Equal(["bob"], again.State.Request!.ApprovedBy.ToArray());
        Assert.Null(again.State.Failover);

        var self = Decider.Decide(again.State, Approve("alice"), At(4));
        AssertRefused(self, RefusalKind.Forbidden, "alice", Id, "it needs 2 approvers other than the requester");

        var second = Decider.Decide(self.State, Approve("carol"), At(5));
        Assert.Equal([EventTypes.RequestApproved, EventTypes.RequestExecuting, EventTypes.SwitchoverStarted], second.Types());
        Assert.Equal("bob,carol", second.Event(EventTypes.RequestExecuting).Detail("approved_by"));
    }

    [Fact]
    public void Decide_NoApprovalsNeeded_ExecutesAtOnce()
    {
        var d = Decider.Decide(AllUp(Http(approvals: 0), T0), SwitchoverTo("web-b"), At(1));

        Assert.Equal([EventTypes.RequestCreated, EventTypes.RequestExecuting, EventTypes.SwitchoverStarted], d.Types());
        Assert.All(d.Events, e => Assert.Equal("alice", e.Actor));
        Assert.Equal(FailoverStage.Draining, d.State.Failover!.Stage);
        Assert.Equal(Id, d.State.Failover.Request);
    }

    [Fact]
    public void Decide_ApprovalOfAnUnknownRequest_RefusedAsNotFound()
    {
        var d = Decider.Decide(Requested(), Approve("bob", id: "r-9"), At(2));

        AssertRefused(d, RefusalKind.NotFound, "bob", "r-9", "web has no open request 'r-9'");
        Assert.Equal(Id, d.State.Request!.Id);
    }

    // ---- expiry --------------------------------------------------------------------------------------

    [Fact]
    public void Decide_TickAtTheDeadline_ExpiresTheRequest()
    {
        var s = Requested();
        DateTimeOffset deadline = s.Request!.ExpiresAt;
        Assert.Equal(At(1) + Window, deadline);

        var before = Decider.Decide(s, new ClockTicked(), deadline.AddMilliseconds(-1));
        Assert.False(before.Changed);
        Assert.NotNull(before.State.Request);

        var d = Decider.Decide(s, new ClockTicked(), deadline);
        Assert.Equal([EventTypes.RequestExpired], d.Types());
        Assert.Equal(Id, d.Events[0].Detail("id"));
        Assert.Null(d.State.Request);
    }

    [Fact]
    public void Decide_ApprovalAfterTheDeadline_RefusedAndNeverExecuted()
    {
        var s = Requested();

        var d = Decider.Decide(s, Approve("bob"), s.Request!.ExpiresAt.AddSeconds(1));

        Assert.Equal(RefusalKind.Conflict, d.Refused?.Kind);
        Assert.Contains("request r-1 expired at", d.Refused!.Message);
        Assert.Equal([EventTypes.RequestExpired, EventTypes.RequestRefused], d.Types());
        Assert.Equal("bob", d.Event(EventTypes.RequestRefused).Actor);
        Assert.Null(d.State.Request);
        Assert.Null(d.State.Failover);
        Assert.Empty(d.Plan);
    }

    [Fact]
    public void Decide_NewRequestAfterTheOpenOnesDeadline_ExpiresItAndIsAccepted()
    {
        var s = Requested();

        var d = Decider.Decide(s, SwitchoverTo("web-c", by: "bob", id: "r-2"), s.Request!.ExpiresAt);

        Assert.Null(d.Refused);
        Assert.Equal([EventTypes.RequestExpired, EventTypes.RequestCreated, EventTypes.AlertRaised], d.Types());
        Assert.Equal(("r-2", "web-c"), (d.State.Request!.Id, d.State.Request.To));
    }

    // ---- rejection -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("carol", "carol rejected request r-1: not now")]
    [InlineData("alice", "alice withdrew request r-1: not now")]
    public void Decide_Rejected_ClosesTheRequest(string by, string reason)
    {
        var d = Decider.Decide(Requested(), Reject(by), At(2));

        Assert.Equal([EventTypes.RequestRejected], d.Types());
        Assert.Equal((by, reason), (d.Events[0].Actor, d.Events[0].Reason));
        Assert.Null(d.State.Request);
        Assert.Null(d.Refused);

        var late = Decider.Decide(d.State, Approve("bob"), At(3));
        AssertRefused(late, RefusalKind.NotFound, "bob", Id, "no open request 'r-1'");
        Assert.Null(late.State.Failover);
    }

    [Fact]
    public void Decide_RejectWhileExecuting_RefusedAsConflict()
    {
        var s = Decider.Decide(AllUp(Http(), T0), SwitchoverTo("web-b"), At(1)).State;

        var d = Decider.Decide(s, Reject("carol"), At(2));

        AssertRefused(d, RefusalKind.Conflict, "carol", Id, "request r-1 is already executing and cannot be stopped half-way");
        Assert.Equal(RequestState.Executing, d.State.Request!.State);
        Assert.Equal(FailoverStage.Draining, d.State.Failover!.Stage);
    }

    // ---- re-validation at approval -------------------------------------------------------------------

    [Fact]
    public void Decide_ApprovedAfterThePrimaryChanged_FailsTheRequestAndStartsNothing()
    {
        var s = AllUp(Http(members: 3, approvals: 1, approvalTimeout: Window), T0);
        s = Decider.Decide(s, SwitchoverTo("web-c"), At(1)).State;
        Down(ref s, "web-a", At(2));
        s = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "closed"), At(3)).State;
        Assert.Equal(("web-b", "web-b", 2L), (s.Primary, s.Routable, s.Epoch));

        var d = Decider.Decide(s, Approve("bob"), At(4));

        Assert.Equal([EventTypes.RequestApproved, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Contains("the primary is now web-b, not web-a as when it was requested", d.Event(EventTypes.RequestFailed).Reason);
        Assert.Empty(d.Plan);
        Assert.Null(d.State.Request);
        Assert.Null(d.State.Failover);
        Assert.Equal(("web-b", "web-b", 2L), (d.State.Primary, d.State.Routable, d.State.Epoch));
    }

    [Fact]
    public void Decide_ApprovedAfterTheTargetWentDown_FailsTheRequestAndStartsNothing()
    {
        var s = Requested();
        Down(ref s, "web-b", At(2));

        var d = Decider.Decide(s, Approve("bob"), At(3));

        Assert.Equal([EventTypes.RequestApproved, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Contains("web-b cannot take over: it is down", d.Event(EventTypes.RequestFailed).Reason);
        Assert.Empty(d.Plan);
        Assert.Null(d.State.Request);
        Assert.Equal(("web-a", "web-a", 1L), (d.State.Primary, d.State.Routable, d.State.Epoch));
    }

    [Fact]
    public void Decide_ApprovedWhilePaused_FailsTheRequestAndStartsNothing()
    {
        var s = Requested();
        s = Decider.Decide(s, Pause("carol"), At(2)).State;

        var d = Decider.Decide(s, Approve("bob"), At(3));

        Assert.Equal([EventTypes.RequestApproved, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Contains("paused by carol", d.Event(EventTypes.RequestFailed).Reason);
        Assert.Null(d.State.Failover);
        Assert.Empty(d.Plan);
    }

    // ---- failover requests ---------------------------------------------------------------------------

    [Fact]
    public void Decide_FailoverRequestInManualMode_FailsOverAndCompletesTheRequest()
    {
        var s = AllUp(Http(members: 3, mode: FailoverMode.Manual), T0);
        Down(ref s, "web-a", At(1));
        Assert.Null(s.Failover);

        var started = Decider.Decide(s, FailoverTo("web-c"), At(2));
        Assert.Equal([EventTypes.RequestCreated, EventTypes.RequestExecuting, EventTypes.FailoverStarted], started.Types());
        var failover = started.Event(EventTypes.FailoverStarted);
        Assert.Equal(("alice", Id, "web-c", 2L), (failover.Actor, failover.Detail("request"), failover.Detail("to"), failover.Epoch));
        Assert.Equal<Step>([new FenceMember("web-a", "web-c", 2)], started.Plan);
        Assert.True(started.State.Members["web-a"].NeedsRejoin);

        var done = Decider.Decide(started.State, new StepCompleted(new FenceMember("web-a", "web-b", 2), true, "closed"), At(3));
        Assert.Equal([EventTypes.MemberFenced, EventTypes.TrafficSwitched, EventTypes.FailoverCompleted, EventTypes.RequestCompleted, EventTypes.AlertRaised],
            done.Types());
        Assert.Equal(Id, done.Event(EventTypes.RequestCompleted).Detail("id"));
        Assert.Equal(("web-c", "web-c", 2L), (done.State.Primary, done.State.Routable, done.State.Epoch));
        Assert.Null(done.State.Request);
        Assert.True(done.State.Members["web-a"].NeedsRejoin);
        Assert.Equal(At(3), done.State.LastFailoverAt);
    }

    [Fact]
    public void Decide_FailoverRequestWhoseFenceFails_FailsTheRequest()
    {
        var s = AllUp(Http(mode: FailoverMode.Manual), T0);
        Down(ref s, "web-a", At(1));
        s = Decider.Decide(s, FailoverTo(to: null), At(2)).State;

        var d = Decider.Decide(s, new StepCompleted(new FenceMember("web-a", "web-b", 2), false, "timed out"), At(3));

        Assert.Equal([EventTypes.FailoverFailed, EventTypes.RequestFailed, EventTypes.AlertRaised], d.Types());
        Assert.Null(d.State.Request);
        Assert.Null(d.State.Routable);
    }

    // ---- pause (rule 4) ------------------------------------------------------------------------------

    [Fact]
    public void Decide_PrimaryDownWhilePaused_HoldsWithThePauseReason()
    {
        var s = AllUp(Http(), T0);
        var paused = Decider.Decide(s, Pause("carol"), At(1));
        Assert.Equal([EventTypes.ServicePaused], paused.Types());
        Assert.Equal(("carol", "database upgrade"), (paused.Events[0].Actor, paused.Events[0].Detail("pause_reason")));
        s = paused.State;

        var d = Down(ref s, "web-a", At(2));

        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverHeld, EventTypes.AlertRaised], d.Types());
        Assert.Contains("web is paused by carol (database upgrade)", d.Event(EventTypes.FailoverHeld).Reason);
        Assert.Empty(d.Plan);
        Assert.Null(s.Failover);
        Assert.Equal(("web-a", 1L), (s.Primary, s.Epoch));

        var later = Decider.Decide(s, new ClockTicked(), At(120));
        Assert.False(later.Changed);
    }

    [Fact]
    public void Decide_ResumedWithPrimaryDown_FailsOverAutomatically()
    {
        var s = Decider.Decide(AllUp(Http(), T0), Pause("carol"), At(1)).State;
        Down(ref s, "web-a", At(2));

        var d = Decider.Decide(s, new Resumed("carol", "upgrade done"), At(5));

        Assert.Equal([EventTypes.ServiceResumed, EventTypes.FailoverStarted], d.Types());
        Assert.Equal(("carol", Actors.Controller), (d.Events[0].Actor, d.Events[1].Actor));
        Assert.Equal<Step>([new FenceMember("web-a", "web-b", 2)], d.Plan);
        Assert.Null(d.State.Pause);
    }

    [Fact]
    public void Decide_PauseTwice_RefusedAsConflictAndKeepsTheFirst()
    {
        var s = Decider.Decide(AllUp(Http(), T0), Pause("carol"), At(1)).State;

        var d = Decider.Decide(s, Pause("bob"), At(2));

        Assert.Equal(RefusalKind.Conflict, d.Refused?.Kind);
        Assert.Contains("web is already paused by carol", d.Refused!.Message);
        Assert.Empty(d.Events);
        Assert.Equal(new PauseInfo("carol", "database upgrade", At(1)), d.State.Pause);
    }

    [Fact]
    public void Decide_ResumeWhenNotPaused_RefusedAsConflict()
    {
        var d = Decider.Decide(AllUp(Http(), T0), new Resumed("carol", ""), At(1));

        Assert.Equal(new Refusal(RefusalKind.Conflict, "web is not paused"), d.Refused);
        Assert.Empty(d.Events);
        Assert.Equal("web is not paused", d.Reason);
    }
}
