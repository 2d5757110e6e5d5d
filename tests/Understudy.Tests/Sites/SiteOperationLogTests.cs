using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Sites;

/// <summary>
/// A site operation rebuilt from its journal events step by step: east's db and api move west, one approval.
/// Operation-wide events arrive once per service they were journaled through, as in the journal.
/// </summary>
public class SiteOperationLogTests
{
    private const string Op = "s-0000beef";
    private static readonly DateTimeOffset Expires = T0.AddMinutes(15);
    private long _id;

    private T At<T>(T e, double seconds, string service) where T : JournalEvent => e with { Id = ++_id, Time = T0.AddSeconds(seconds), Service = service };

    private ImmutableDictionary<string, SiteOperationRecord> Requested() => SiteOperationLog.Rebuild(
    [
        At(new SiteRequested(Op, "east", "alice", 1, "region drill", Expires, "switchover", "db-a") { Member = "db-b", Reason = "alice asked" }, 0, "db"),
        At(new SiteRequested(Op, "east", "alice", 1, "region drill", Expires, "switchover", "api-a") { Member = "api-b", Reason = "alice asked" }, 0, "api"),
    ]);

    private ImmutableDictionary<string, SiteOperationRecord> Apply(ImmutableDictionary<string, SiteOperationRecord> ops, double seconds, Func<string, JournalEvent> each,
        params string[] services) => services.Aggregate(ops, (o, service) => SiteOperationLog.Evolve(o, At(each(service), seconds, service)));

    private ImmutableDictionary<string, SiteOperationRecord> Approved() =>
        Apply(Requested(), 10, _ => new SiteApproved(Op, "east", "bob", "go", 1, 1) { Reason = "bob approved" }, "db", "api");

    private ImmutableDictionary<string, SiteOperationRecord> DbMoved()
    {
        var ops = SiteOperationLog.Evolve(Approved(), At(new SiteStarted(Op, "east", "r-00000001", "switchover", "db-a", "db-b"), 11, "db"));
        return SiteOperationLog.Evolve(ops, At(new SiteServiceMoved(Op, "east", "r-00000001", "db-a", "db-b"), 14, "db"));
    }

    [Fact]
    public void Requested_OnEachServiceItWouldMove_IsOneOperationAwaitingApprovalWithAStepPerService()
    {
        SiteOperationRecord op = Assert.Single(Requested().Values);

        Assert.Equal((Op, "east", "alice", "region drill", T0, Expires, 1), (op.Id, op.Site, op.RequestedBy, op.Reason, op.CreatedAt, op.ExpiresAt, op.ApprovalsNeeded));
        Assert.Equal(SiteStates.AwaitingApproval, op.State);
        Assert.Equal(["db", "api"], op.Steps.Select(s => s.Service));
        Assert.Equal(new SiteServiceStep("db", "planned", "switchover", "db-a", "db-b", null, "switchover from db-a to db-b"), op.Steps[0]);
        Assert.False(op.IsResumable);
    }

    [Fact]
    public void Approved_JournaledThroughBothServices_CountsTheApproverOnceAndTheOperationIsResumable()
    {
        SiteOperationRecord op = Approved()[Op];

        Assert.Equal(["bob"], op.ApprovedBy);
        Assert.Equal("approved by bob (1 of 1)", op.Detail);
        Assert.True(op.IsApproved);
        Assert.True(op.IsResumable);
    }

    [Fact]
    public void Started_ExecutesWithThatServiceMovingByItsRequest_WhichIsInFlight()
    {
        var ops = SiteOperationLog.Evolve(Approved(), At(new SiteStarted(Op, "east", "r-00000001", "switchover", "db-a", "db-b"), 11, "db"));
        SiteOperationRecord op = ops[Op];

        Assert.Equal(SiteStates.Executing, op.State);
        Assert.Equal(new SiteServiceStep("db", "moving", "switchover", "db-a", "db-b", "r-00000001", "switchover from db-a to db-b (request r-00000001)"), op.InFlight);
        Assert.True(op.IsResumable);
    }

    [Fact]
    public void ServiceMoved_IsMovedAndNothingIsInFlight()
    {
        SiteOperationRecord op = DbMoved()[Op];

        Assert.Equal([new SiteMove("db", "r-00000001", "db-a", "db-b")], op.Moved);
        Assert.Equal("moved", op.Step("db")!.Status);
        Assert.Null(op.InFlight);
        Assert.Equal("planned", op.Step("api")!.Status);
    }

    [Fact]
    public void FailedAfterAMove_RollsBackUntilEveryMovedServiceIsBack_ThenFailed()
    {
        var ops = SiteOperationLog.Evolve(DbMoved(), At(new SiteStarted(Op, "east", "r-00000002", "switchover", "api-a", "api-b"), 15, "api"));
        ops = SiteOperationLog.Evolve(ops, At(new SiteFailed(Op, "east") { Reason = "stopped at api: vetoed" }, 16, "api"));

        SiteOperationRecord rolling = ops[Op];
        Assert.Equal(SiteStates.RollingBack, rolling.State);
        Assert.Equal("failed", rolling.Step("api")!.Status);
        Assert.Equal(["db"], rolling.ToRollBack.Select(m => m.Service));
        Assert.True(rolling.IsResumable);

        SiteOperationRecord done = SiteOperationLog.Evolve(ops, At(new SiteRolledBack(Op, "east", "db-a", true) { Reason = "db back on db-a" }, 20, "db"))[Op];
        Assert.Equal(SiteStates.Failed, done.State);
        Assert.Equal("rolled_back", done.Step("db")!.Status);
        Assert.Empty(done.ToRollBack);
        Assert.False(done.IsResumable);
    }

    [Fact]
    public void FailedBeforeAnyMove_IsFailedAtOnce()
    {
        var ops = SiteOperationLog.Evolve(Approved(), At(new SiteFailed(Op, "east") { Reason = "not started: refused" }, 11, "db"));

        Assert.Equal(SiteStates.Failed, ops[Op].State);
        Assert.Equal("not started: refused", ops[Op].Detail);
    }

    [Fact]
    public void Completed_JournaledThroughEveryService_IsCompletedAndAServiceNeverStartedWasSkipped()
    {
        var ops = Apply(DbMoved(), 20, _ => new SiteCompleted(Op, "east") { Reason = "completed" }, "db", "api");

        Assert.Equal(SiteStates.Completed, ops[Op].State);
        Assert.Equal("skipped", ops[Op].Step("api")!.Status);
        Assert.Equal("not moved: its primary was off east by its turn", ops[Op].Step("api")!.Detail);
    }

    [Fact]
    public void Resumed_TakesTheStateItResumesAndKeepsWhatMoved()
    {
        var ops = Apply(DbMoved(), 30, _ => new SiteResumed(Op, "east", "ctl-b", SiteStates.Executing) { Reason = "ctl-b resumed it" }, "db", "api");

        Assert.Equal((SiteStates.Executing, "ctl-b resumed it"), (ops[Op].State, ops[Op].Detail));
        Assert.Single(ops[Op].Moved);
    }

    [Fact]
    public void Expiry_AwaitingApproval_ExpiresAtItsExpiryAndOnceJournaledIsExpiredForGood()
    {
        var clock = new FakeTimeProvider(T0);
        SiteOperationRecord op = Requested()[Op];

        clock.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromMilliseconds(1));
        Assert.False(op.IsExpired(clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(op.IsExpired(clock.GetUtcNow()));
        // Approved in time, it no longer expires.
        Assert.False(Approved()[Op].IsExpired(clock.GetUtcNow()));

        var ops = Apply(Requested(), 900, _ => new SiteExpired(Op, "east", Expires) { Reason = "nobody approved it" }, "db", "api");
        Assert.Equal(SiteStates.Expired, ops[Op].State);
        Assert.False(ops[Op].IsResumable);
        Assert.True(SiteStates.IsFinished(ops[Op].State));
    }

    [Fact]
    public void RequestedBeforeExpiryWasJournaled_ExpiresAfterTheDefaultApprovalTimeout()
    {
        var old = new SiteRequested(Op, "east", "alice", 1) { Member = "db-b", Reason = "alice asked: why" };

        SiteOperationRecord op = SiteOperationLog.Rebuild([At(old, 0, "db")])[Op];

        Assert.Equal(T0.AddMinutes(15), op.ExpiresAt);
        Assert.Equal("alice asked: why", op.Reason);
    }

    [Fact]
    public void EventOfAnOperationNotInTheJournal_IsIgnored()
    {
        var ops = SiteOperationLog.Rebuild([At(new SiteCompleted("s-unknown", "east"), 0, "db")]);

        Assert.Empty(ops);
    }
}
