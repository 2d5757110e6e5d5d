using Understudy.Coordination;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>EtcdStore's keys and transactions on a real etcd 3.4: create-if-absent, the leader's append (conflicts, ended terms), ranges and deletes.</summary>
public sealed class EtcdStoreTests(ITestOutputHelper output) : EtcdTest(output)
{
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

    private async Task<LeaderToken> LeadAsync(string name)
    {
        EtcdLease lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30), default);
        var created = Assert.IsType<CreateResult.Created>(await Store.TryCreateAsync(Keys.Leader, name, lease.Id, default));
        return new LeaderToken(name, created.Revision, lease.Id);
    }
}
