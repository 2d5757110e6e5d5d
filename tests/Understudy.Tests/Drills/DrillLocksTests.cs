using Microsoft.Extensions.Time.Testing;
using Understudy.Drills.Scheduling;

namespace Understudy.Tests.Drills;

public class DrillLocksTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryTake_HeldByAnother_RefusesAndNamesTheHolder()
    {
        var locks = new DrillLocks(_time);
        DrillLock first = locks.TryTake("web", "the schedule", out _)!;

        Assert.Null(locks.TryTake("web", "alice", out DrillLock? heldBy));
        Assert.Equal(first, heldBy);
        Assert.NotNull(locks.TryTake("db", "alice", out _));
    }

    [Fact]
    public void TryTake_AHolderThatStoppedRenewing_LosesTheLockWhenTheLeaseRunsOut()
    {
        var locks = new DrillLocks(_time);
        DrillLock killed = locks.TryTake("web", "a drill that was killed", out _)!;

        _time.Advance(DrillLocks.Lease);

        Assert.NotNull(locks.TryTake("web", "the next drill", out _));
        Assert.Null(locks.Renew("web", killed.Token));
    }

    [Fact]
    public void Renew_KeepsTheLockForAnotherLease()
    {
        var locks = new DrillLocks(_time);
        DrillLock held = locks.TryTake("web", "the schedule", out _)!;

        _time.Advance(DrillLocks.RenewEvery);
        Assert.Equal(_time.GetUtcNow() + DrillLocks.Lease, locks.Renew("web", held.Token)!.ExpiresAt);
        _time.Advance(DrillLocks.Lease - TimeSpan.FromSeconds(1));

        Assert.Null(locks.TryTake("web", "alice", out _));
    }

    [Fact]
    public void Release_OnlyWithTheHoldersToken()
    {
        var locks = new DrillLocks(_time);
        DrillLock held = locks.TryTake("web", "the schedule", out _)!;

        Assert.False(locks.Release("web", "not-the-token"));
        Assert.True(locks.Release("web", held.Token));
        Assert.NotNull(locks.TryTake("web", "alice", out _));
    }
}
