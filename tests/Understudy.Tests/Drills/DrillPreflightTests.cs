using Understudy.Core.Drills;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Drills;

public class DrillPreflightTests
{
    private static readonly ServiceState Steady = AllUp(Http(), T0);

    [Fact]
    public void WhyNot_SteadyServiceWithAHealthyStandby_LetsTheDrillStart() => Assert.Null(DrillPreflight.WhyNot(Steady));

    [Fact]
    public void WhyNot_Paused_SaysByWhomAndWhy() =>
        Assert.Equal("web is paused (alice: kernel update)", DrillPreflight.WhyNot(Steady with { Pause = new PauseInfo("alice", "kernel update", T0) }));

    [Fact]
    public void WhyNot_Degraded_SaysSo() =>
        Assert.Equal("web is degraded (no candidate)", DrillPreflight.WhyNot(Steady with { Degraded = true, HoldReason = "no candidate" }));

    [Fact]
    public void WhyNot_FailoverUnderWay_IsMidChange() =>
        Assert.Equal("web is mid-change: a failover from web-a to web-b is under way",
            DrillPreflight.WhyNot(Steady with { Failover = new FailoverProgress("web-a", "web-b", 2, T0, FailoverStage.Fencing) }));

    [Fact]
    public void WhyNot_OpenRequest_IsMidChange() =>
        Assert.Equal("web is mid-change: request r-7 is open", DrillPreflight.WhyNot(Steady with
        {
            Request = new OperatorRequest("r-7", RequestKind.Switchover, "web-a", "web-b", "patching", "alice", T0, At(900), 1, [], RequestState.AwaitingApproval),
        }));

    [Fact]
    public void WhyNot_StandbyDown_NoFailoverTarget()
    {
        ServiceState s = Steady;
        Walk(ref s, (Fail("web-b", At(1)), At(1)), (Fail("web-b", At(2)), At(2)), (Fail("web-b", At(3)), At(3)));

        Assert.Equal("web has no healthy failover target caught up within max_lag (web-b: it is down)", DrillPreflight.WhyNot(s));
    }

    [Fact]
    public void WhyNot_StandbyBeyondMaxLag_NoFailoverTarget()
    {
        ServiceState s = ServiceState.Initial(Postgres(members: 2, maxLag: 1024));
        Walk(ref s, (PgPrimary("pg1", At(1), lsn: 1_000_000), At(1)), (PgStandby("pg2", At(1), received: 0), At(1)),
            (PgPrimary("pg1", At(2), lsn: 1_000_000), At(2)), (PgStandby("pg2", At(2), received: 0), At(2)));

        Assert.Contains("no healthy failover target caught up within max_lag (pg2: lag", DrillPreflight.WhyNot(s));
        Assert.Contains("> max_lag", DrillPreflight.WhyNot(s));
    }
}
