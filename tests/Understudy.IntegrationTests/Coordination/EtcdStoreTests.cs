using System.Diagnostics;
using Understudy.Coordination;
using Understudy.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>EtcdStore against a real etcd 3.4: leases, create-if-absent, the leader's append, ranges, deletes and the failure values.</summary>
public sealed class EtcdStoreTests(ITestOutputHelper output) : EtcdTest(output)
{
    [Fact]
    public async Task GrantLease_NotRenewed_ExpiresAfterItsTtlAndTakesItsKeys()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);
        await Store.PutAsync(Keys.Instance("ctl-a"), "x", lease.Id, default);
        var granted = Stopwatch.StartNew();

        // etcd checks expiry every 500 ms: gone within the TTL and a generous margin, and not before the TTL.
        await Eventually.TrueAsync(async () => await Store.GetAsync(Keys.Instance("ctl-a"), default) is null, "the leased key to vanish", TimeSpan.FromSeconds(10));
        Assert.InRange(granted.Elapsed, lease.GrantedTtl - TimeSpan.FromMilliseconds(300), lease.GrantedTtl + TimeSpan.FromSeconds(3));
        Assert.Null(await Store.KeepAliveOnceAsync(lease.Id, default));
        Assert.Null(await Store.TimeToLiveAsync(lease.Id, default));
    }

    [Fact]
    public async Task GrantLease_AskedForOneSecond_EtcdGrantsTwo()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(1), default);

        Assert.Equal(TimeSpan.FromSeconds(2), lease.GrantedTtl);
    }

    [Fact]
    public async Task KeepAliveOnce_EveryThirdOfTheTtl_KeepsTheLeasePastThreeTtls()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);
        await Store.PutAsync(Keys.Instance("ctl-a"), "x", lease.Id, default);

        var alive = Stopwatch.StartNew();
        while (alive.Elapsed < lease.GrantedTtl * 3)
        {
            Assert.Equal(lease.GrantedTtl, await Store.KeepAliveOnceAsync(lease.Id, default));
            await Task.Delay(lease.GrantedTtl / 3);
        }

        Assert.NotNull(await Store.GetAsync(Keys.Instance("ctl-a"), default));
        // etcd reports whole seconds, rounded down: 0 is a live lease in its last second, null a gone one.
        Assert.NotNull(await Store.TimeToLiveAsync(lease.Id, default));
    }

    [Fact]
    public async Task Revoke_DeletesTheLeasedKeysAtOnce_AndAgainIsNoError()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);
        await Store.PutAsync(Keys.Ack("web", "ctl-a"), "3", lease.Id, default);

        await Store.RevokeAsync(lease.Id, default);
        await Store.RevokeAsync(lease.Id, default);

        Assert.Null(await Store.GetAsync(Keys.Ack("web", "ctl-a"), default));
    }

    [Fact]
    public async Task Put_OnALeaseThatIsGone_IsLeaseNotFound()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);
        await Store.RevokeAsync(lease.Id, default);

        var e = await Assert.ThrowsAsync<CoordinationUnavailable>(() => Store.PutAsync(Keys.Instance("ctl-a"), "x", lease.Id, default));
        Assert.Equal(CoordinationFailure.LeaseNotFound, e.Failure);
    }

    [Fact]
    public async Task TryCreate_Twice_TheSecondSeesTheFirst()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);

        var first = Assert.IsType<CreateResult.Created>(await Store.TryCreateAsync(Keys.Leader, "ctl-a", lease.Id, default));
        var second = Assert.IsType<CreateResult.Taken>(await Store.TryCreateAsync(Keys.Leader, "ctl-b", 0, default));

        Assert.Equal(new EtcdEntry(Keys.Leader, "ctl-a", first.Revision, first.Revision, lease.Id), second.Existing);
    }

    [Fact]
    public async Task Append_AsLeader_CommitsInOrder_TheSameSeqAgainConflicts()
    {
        LeaderToken leader = await LeadAsync("ctl-a");

        Assert.IsType<AppendResult.Committed>(await Store.AppendAsync(leader, "web", 1, ["e1", "e2", "e3"], default));
        var conflict = await Store.AppendAsync(leader, "web", 2, ["other"], default);

        Assert.Equal(new AppendResult.Conflict(3), conflict);
        EtcdRange log = await Store.RangeAsync(Keys.ServiceLog("web"), default);
        Assert.Equal([(Keys.LogKey("web", 1), "e1"), (Keys.LogKey("web", 2), "e2"), (Keys.LogKey("web", 3), "e3")], log.Entries.Select(e => (e.Key, e.Value)));
        Assert.All(log.Entries, e => Assert.Equal(0, e.Lease));
    }

    [Fact]
    public async Task Append_WithAnEndedTerm_IsNotLeaderAndWritesNothing()
    {
        LeaderToken old = await LeadAsync("ctl-a");
        await Store.DeleteIfCreatedAsync(Keys.Leader, old.CreateRevision, default);
        await LeadAsync("ctl-b");

        Assert.Equal(new AppendResult.NotLeader("ctl-b"), await Store.AppendAsync(old, "web", 1, ["stale"], default));
        Assert.Empty((await Store.RangeAsync(Keys.ServiceLog("web"), default)).Entries);
        Assert.False(await Store.DeleteIfCreatedAsync(Keys.Leader, old.CreateRevision, default));
    }

    [Fact]
    public async Task Append_NoLeaderKey_IsNotLeaderWithNobody()
    {
        LeaderToken old = await LeadAsync("ctl-a");
        Assert.True(await Store.DeleteAsync(Keys.Leader, default));

        Assert.Equal(new AppendResult.NotLeader(null), await Store.AppendAsync(old, "web", 1, ["stale"], default));
    }

    [Fact]
    public async Task RangeAndDeletePrefix_SortedLimitedAndBeforeAKey()
    {
        LeaderToken leader = await LeadAsync("ctl-a");
        await Store.AppendAsync(leader, "web", 1, ["a", "b", "c", "d"], default);
        await Store.AppendAsync(leader, "web-2", 1, ["other service"], default);

        EtcdRange firstTwo = await Store.RangeAsync(Keys.ServiceLog("web"), default, limit: 2);
        long deleted = await Store.DeletePrefixAsync(Keys.ServiceLog("web"), default, before: Keys.LogKey("web", 3));

        Assert.Equal(["a", "b"], firstTwo.Entries.Select(e => e.Value));
        Assert.True(firstTwo.More);
        Assert.Equal(2, deleted);
        Assert.Equal(["c", "d"], (await Store.RangeAsync(Keys.ServiceLog("web"), default)).Entries.Select(e => e.Value));
        Assert.Single((await Store.RangeAsync(Keys.ServiceLog("web-2"), default)).Entries);
        Assert.Equal(2, await Store.DeletePrefixAsync(Keys.ServiceLog("web"), default));
    }

    [Fact]
    public async Task Calls_OnAPausedEtcd_FailWithinTheDeadlineAsTimeout_ThenWorkAgain()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);
        await Server.PauseAsync();
        try
        {
            foreach (Func<Task> call in (Func<Task>[])[
                () => Store.GetAsync(Keys.Leader, default),
                () => Store.PutAsync(Keys.Leader, "x", 0, default),
                () => Store.KeepAliveOnceAsync(lease.Id, default),
                () => Store.TryCreateAsync(Keys.Leader, "ctl-a", lease.Id, default),
                () => Store.GrantLeaseAsync(Lease, default),
            ])
            {
                var took = Stopwatch.StartNew();
                var e = await Assert.ThrowsAsync<CoordinationUnavailable>(call);
                Assert.Equal(CoordinationFailure.Timeout, e.Failure);
                Assert.InRange(took.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            }
        }
        finally { await Server.ResumeAsync(); }

        await Eventually.TrueAsync(() => AnswersAsync(Store), "etcd to answer again", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Calls_ToAStoppedEtcd_AreUnreachableAtOnce_NotRetriedUntilTheDeadline()
    {
        await Server.StopAsync();

        var took = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CoordinationUnavailable>(() => Store.GetAsync(Keys.Leader, default));

        // dotnet-etcd's own retry policy would have waited for the deadline (Timeout); it is switched off.
        Assert.Equal(CoordinationFailure.Unreachable, e.Failure);
        Assert.InRange(took.Elapsed, TimeSpan.Zero, Store.CallTimeout / 2);
    }

    [Fact]
    public async Task Call_CancelledByItsCaller_IsCancellationNotUnavailability()
    {
        await Server.PauseAsync();
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetAsync(Keys.Leader, cancel.Token));
        }
        finally { await Server.ResumeAsync(); }
    }

    private async Task<LeaderToken> LeadAsync(string name)
    {
        EtcdLease lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30), default);
        var created = Assert.IsType<CreateResult.Created>(await Store.TryCreateAsync(Keys.Leader, name, lease.Id, default));
        return new LeaderToken(name, created.Revision, lease.Id);
    }
}
