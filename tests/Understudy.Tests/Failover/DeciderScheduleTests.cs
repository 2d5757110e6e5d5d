using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Operators;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>
/// Scheduled switchovers (<c>--at</c>, maintenance windows): approved, they wait; they run when the window opens and
/// not before, checked again then; one the controller could not run within its window is failed, not run late; a
/// scheduled one can still be rejected or withdrawn; only a switchover can be scheduled.
/// </summary>
public class DeciderScheduleTests
{
    private static readonly ScheduledWindow Window = new(At(3600), At(3600 + 900), "at 2026-11-22 13:00:00Z");

    private static ChangeRequested Scheduled(RequestKind kind = RequestKind.Switchover, ScheduledWindow? window = null) =>
        new(Id, kind, "web-b", "kernel update", "alice", Window: window ?? Window);

    [Fact]
    public void Decide_ApprovedScheduledSwitchover_WaitsThenRunsWhenTheWindowOpens()
    {
        ServiceState s = AllUp(Http(members: 3, approvals: 1, approvalTimeout: TimeSpan.FromHours(2)), T0);
        var created = Decider.Decide(s, Scheduled(), At(1));
        Assert.Contains("it runs at 2026-11-22 13:00:00Z, from 2026-11-22 13:00:00Z (until 2026-11-22 13:15:00Z)", created.Event(EventTypes.RequestCreated).Reason);
        s = created.State;

        var approved = Decider.Decide(s, Approve("bob"), At(10));
        Assert.Contains(EventTypes.RequestScheduled, approved.Types());
        Assert.Empty(approved.Plan);
        Assert.Equal(RequestState.Scheduled, approved.State.Request!.State);

        // Checks and ticks before the window change nothing.
        s = approved.State;
        var early = Decider.Decide(s, Ok("web-a", At(3599)), At(3599));
        Assert.Null(early.State.Failover);

        var due = Decider.Decide(early.State, Ok("web-a", At(3600.2)), At(3600.2));
        Assert.Contains(EventTypes.RequestExecuting, due.Types());
        Assert.Contains(EventTypes.SwitchoverStarted, due.Types());
        Assert.Equal("web-b", due.State.Failover!.To);
    }

    [Fact]
    public void Decide_NoApprovalsNeeded_ScheduledAtOnce()
    {
        var d = Decider.Decide(AllUp(Http(), T0), Scheduled(), At(1));
        Assert.Equal([EventTypes.RequestCreated, EventTypes.RequestScheduled], d.Types());
        Assert.Contains("reject or withdraw it to cancel", d.Events[1].Reason);
    }

    [Fact]
    public void Decide_WindowMissed_FailedNotRunLate()
    {
        ServiceState s = Decider.Decide(AllUp(Http(), T0), Scheduled(), At(1)).State;

        var late = Decider.Decide(s, Ok("web-a", At(3600 + 901)), At(3600 + 901));

        Assert.Contains(EventTypes.RequestFailed, late.Types());
        Assert.Contains("missed at 2026-11-22 13:00:00Z", late.Event(EventTypes.RequestFailed).Reason);
        Assert.Null(late.State.Failover);
        Assert.Null(late.State.Request);
    }

    [Fact]
    public void Decide_ScheduledAndWithdrawn_NeverRuns()
    {
        ServiceState s = Decider.Decide(AllUp(Http(), T0), Scheduled(), At(1)).State;
        s = Decider.Decide(s, Reject("alice"), At(5)).State;

        Assert.Null(s.Request);
        Assert.Null(Decider.Decide(s, Ok("web-a", At(3601)), At(3601)).State.Failover);
    }

    [Fact]
    public void Decide_ScheduledFailover_Refused() =>
        AssertRefused(Decider.Decide(AllUp(Http(), T0), Scheduled(RequestKind.Failover), At(1)), Understudy.Core.Failover.RefusalKind.Conflict, "alice", Id,
            "only a switchover can be scheduled");

    [Fact]
    public void Decide_WindowAlreadyOver_Refused() =>
        AssertRefused(Decider.Decide(AllUp(Http(), T0), Scheduled(window: Window with { Start = At(-2000), End = At(-1000) }), At(1)),
            Understudy.Core.Failover.RefusalKind.Conflict, "alice", Id, "has passed");

    [Fact]
    public void Decide_ScheduledRequest_SurvivesARebuildFromASnapshot()
    {
        ServiceState s = Decider.Decide(AllUp(Http(), T0), Scheduled(), At(1)).State;
        Assert.Equal(Journaled.Durable(s), Journaled.Durable(Journaled.ThroughSnapshot(s)));
    }
}
