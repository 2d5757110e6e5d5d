using System.Diagnostics;
using Understudy.Coordination;
using Understudy.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>EtcdStore's leases on a real etcd 3.4: granted TTLs, one-shot keep-alives that really renew, expiry, revocation.</summary>
public sealed class EtcdLeaseTests(ITestOutputHelper output) : EtcdTest(output)
{
    [Fact]
    public async Task GrantLease_NotRenewed_ExpiresAfterItsTtlAndTakesItsKeys()
    {
        var granted = Stopwatch.StartNew();
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);
        await Store.PutAsync(Keys.Instance("ctl-a"), "x", lease.Id, default);
        Assert.NotNull(await Store.GetAsync(Keys.Instance("ctl-a"), default));

        // etcd checks expiry every 500 ms: gone within the TTL and a generous margin.
        await Eventually.TrueAsync(async () => await Store.GetAsync(Keys.Instance("ctl-a"), default) is null, "the leased key to vanish", TimeSpan.FromSeconds(10));
        Assert.InRange(granted.Elapsed, TimeSpan.Zero, lease.GrantedTtl + TimeSpan.FromSeconds(3));
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
}
