using System.Diagnostics;
using Understudy.Coordination;
using Understudy.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>InstancePresence and EpochAcks on a real etcd: keys that appear and vanish with their instance, freshness that ends with the lease.</summary>
public sealed class PresenceTests(ITestOutputHelper output) : EtcdTest(output)
{
    private CoordinatedInstance Start(string name) => Instance(name, campaign: false);

    [Fact]
    public async Task Presence_Running_RegistersEachInstance_StoppingRemovesItAtOnce()
    {
        await using CoordinatedInstance a = Start("ctl-a"), b = Start("ctl-b");
        await Eventually.TrueAsync(() => a.Presence.IsRegistered && b.Presence.IsRegistered, "both registered");

        IReadOnlyList<RegisteredInstance> all = await a.Presence.ReadAllAsync();
        Assert.Equal(["ctl-a", "ctl-b"], all.Select(i => i.Name));
        RegisteredInstance ra = all[0];
        Assert.Equal(("ctl-a.example:7400", "1.0.0-it", "digest-1", a.Presence.CurrentLease!.Id), (ra.Api, ra.Version, ra.Digest, ra.Lease));
        Assert.NotNull(ra.StartedAt);
        Assert.True(a.Presence.IsFresh(Lease));

        var stopped = Stopwatch.StartNew();
        await b.StopAsync();

        // Revoked on the way out: gone at once, not a lease later.
        Assert.Equal(["ctl-a"], (await a.Presence.ReadAllAsync()).Select(i => i.Name));
        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, Lease);
        Assert.False(b.Presence.IsFresh(Lease));
        Assert.Null(b.Presence.CurrentLease);
    }

    [Fact]
    public async Task Presence_EtcdPaused_NotFreshWithinTheLease_NewLeaseAfterResume()
    {
        await using CoordinatedInstance a = Start("ctl-a");
        await Eventually.TrueAsync(() => a.Presence.IsRegistered, "registered");
        EtcdLease first = a.Presence.CurrentLease!;
        var lost = new TaskCompletionSource<EtcdLease>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Presence.LeaseLost += l => lost.TrySetResult(l);

        var paused = Stopwatch.StartNew();
        await Server.PauseAsync();
        await Eventually.TrueAsync(() => !a.Presence.IsFresh(first.GrantedTtl), "freshness to end");
        TimeSpan notFreshAfter = paused.Elapsed;
        // Counted from the last renewal sent before the pause: at most one TTL after it, so at most the TTL after the
        // pause began (a generous second more for the pause itself and the polling on two loaded cores).
        Assert.InRange(notFreshAfter, TimeSpan.Zero, first.GrantedTtl + TimeSpan.FromSeconds(1));
        await Task.Delay(first.GrantedTtl); // etcd's clock runs while it is stopped: the lease is past due when it wakes
        await Server.ResumeAsync();

        Assert.Equal(first, await lost.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => a.Presence.IsRegistered && a.Presence.CurrentLease!.Id != first.Id, "registered on a new lease", TimeSpan.FromSeconds(10));
        Assert.True(a.Presence.IsFresh(Lease));
        RegisteredInstance again = Assert.Single(await a.Presence.ReadAllAsync());
        Assert.Equal(a.Presence.CurrentLease!.Id, again.Lease);
    }

    [Fact]
    public async Task Presence_NameAlreadyLive_StaysUnregisteredUntilTheOtherGoes()
    {
        await using CoordinatedInstance first = Start("ctl-a");
        await Eventually.TrueAsync(() => first.Presence.IsRegistered, "the first registered");
        await using CoordinatedInstance twin = Start("ctl-a");
        await Eventually.TrueAsync(() => twin.Presence.CurrentLease is not null, "the twin's lease");
        await Task.Delay(Lease); // a few renewals, none of which may take the name

        Assert.False(twin.Presence.IsRegistered);
        Assert.Equal(first.Presence.CurrentLease!.Id, Assert.Single(await first.Presence.ReadAllAsync()).Lease);
        var refused = await Assert.ThrowsAsync<CoordinationUnavailable>(() => new EpochAcks(twin.Store, twin.Presence).AckAsync("web", 1));
        Assert.Equal(CoordinationFailure.Refused, refused.Failure);

        await first.StopAsync();
        await Eventually.TrueAsync(() => twin.Presence.IsRegistered, "the twin registered once the name is free", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task EpochAcks_EachInstanceAcks_OnlyLiveInstancesAreRead()
    {
        await using CoordinatedInstance a = Start("ctl-a"), b = Start("ctl-b");
        await Eventually.TrueAsync(() => a.Presence.IsRegistered && b.Presence.IsRegistered, "both registered");
        EpochAcks ackA = new(a.Store, a.Presence), ackB = new(b.Store, b.Presence);

        await ackA.AckAsync("web", 3);
        await ackB.AckAsync("web", 3);
        await ackB.AckAsync("web", 4);
        await ackA.AckAsync("web-2", 9);

        Assert.Equal(new Dictionary<string, long> { ["ctl-a"] = 3, ["ctl-b"] = 4 }, await ackA.ReadAsync("web"));
        await b.StopAsync();
        Assert.Equal(new Dictionary<string, long> { ["ctl-a"] = 3 }, await ackA.ReadAsync("web"));
        var e = await Assert.ThrowsAsync<CoordinationUnavailable>(() => ackB.AckAsync("web", 5));
        Assert.Equal(CoordinationFailure.LeaseNotFound, e.Failure);
    }
}
