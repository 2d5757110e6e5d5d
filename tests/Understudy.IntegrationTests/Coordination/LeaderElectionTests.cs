using System.Diagnostics;
using Understudy.Coordination;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Etcd;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>LeaderElection on a real etcd: one leader at a time, a successor within lease + 2 s, and an old term that cannot commit.</summary>
public sealed class LeaderElectionTests(ITestOutputHelper output) : EtcdTest(output)
{
    /// <summary>DESIGN's bound for a new leader after the old one is gone: its lease, plus 2 s.</summary>
    private static readonly TimeSpan Successor = Lease + TimeSpan.FromSeconds(2);

    private CoordinatedInstance Start(string name, string? url = null) => Instance(name, url: url);

    [Fact]
    public async Task Election_TwoInstances_ExactlyOneLeads_TheOtherAfterItResigns()
    {
        await using CoordinatedInstance a = Start("ctl-a"), b = Start("ctl-b");
        await Eventually.TrueAsync(() => (a.Election.Current is null) != (b.Election.Current is null), "exactly one leader");
        var (leader, follower) = a.Election.Current is not null ? (a, b) : (b, a);
        LeaderToken term = leader.Election.Current!;

        Assert.Equal(new LeadershipGained(term), await leader.NextChangeAsync(TimeSpan.FromSeconds(1)));
        await Eventually.TrueAsync(() => follower.Election.LeaderName == leader.Name, "the follower to name the leader");
        Assert.Equal((leader.Name, leader.Presence.CurrentLease!.Id), (term.Name, term.LeaseId));
        Assert.Null(follower.Election.Current);

        var resigned = Stopwatch.StartNew();
        await leader.Election.ResignAsync();

        Assert.Null(leader.Election.Current);
        Assert.Equal(new LeadershipLost(term, "resigned"), await leader.NextChangeAsync(TimeSpan.FromSeconds(1)));
        var gained = Assert.IsType<LeadershipGained>(await follower.NextChangeAsync(Successor));
        Assert.InRange(resigned.Elapsed, TimeSpan.Zero, Successor);
        Assert.Equal(follower.Name, gained.Token.Name);
        Assert.True(gained.Token.CreateRevision > term.CreateRevision);
        // Resigning ends the campaign: the old leader does not take the key back.
        await Task.Delay(Lease);
        Assert.Null(leader.Election.Current);
        Assert.Equal(gained.Token, follower.Election.Current);
    }

    [Fact]
    public async Task Election_LeaderStops_TheOtherLeadsWithinLeasePlusTwoSeconds()
    {
        await using CoordinatedInstance a = Start("ctl-a");
        Assert.IsType<LeadershipGained>(await a.NextChangeAsync(TimeSpan.FromSeconds(10)));
        await using CoordinatedInstance b = Start("ctl-b");
        await Eventually.TrueAsync(() => b.Election.LeaderName == "ctl-a", "ctl-b to follow ctl-a");

        var stopped = Stopwatch.StartNew();
        await a.StopAsync();

        Assert.Equal("stopped campaigning", Assert.IsType<LeadershipLost>(await a.NextChangeAsync(TimeSpan.FromSeconds(1))).Reason);
        Assert.IsType<LeadershipGained>(await b.NextChangeAsync(Successor));
        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, Successor);
    }

    [Fact]
    public async Task Election_LeaderCutOffFromEtcd_DeposedWithinItsLease_OtherLeads_OldTermCannotAppend()
    {
        await using var relay = new TcpRelay(Server.ClientPort);
        await using CoordinatedInstance a = Start("ctl-a", relay.Url);
        var gainedA = Assert.IsType<LeadershipGained>(await a.NextChangeAsync(TimeSpan.FromSeconds(10)));
        await using CoordinatedInstance b = Start("ctl-b");
        await Eventually.TrueAsync(() => b.Election.LeaderName == "ctl-a", "ctl-b to follow ctl-a");
        Assert.IsType<AppendResult.Committed>(await a.Store.AppendAsync(gainedA.Token, "web", 1, ["by ctl-a"], default));

        var cut = Stopwatch.StartNew();
        relay.Cut();
        // Deposed by its own clock, before etcd could have let anyone else in: its term reads as void once the lease is
        // out, whatever the thread pool does. Read from a thread of its own, so the pool's delays under load cannot move it.
        LeaderToken? heldAtLeaseEnd = gainedA.Token;
        var atLeaseEnd = new Thread(() =>
        {
            TimeSpan until = Lease + TimeSpan.FromMilliseconds(50) - cut.Elapsed;
            if (until > TimeSpan.Zero) Thread.Sleep(until);
            heldAtLeaseEnd = a.Election.Current;
        });
        atLeaseEnd.Start();

        // Told a little later: the notification waits for a timer and a pool thread (0.75 s late once in a loaded CI run).
        var lostA = Assert.IsType<LeadershipLost>(await a.NextChangeAsync(Lease + TimeSpan.FromSeconds(1)));
        TimeSpan deposedAfter = cut.Elapsed;
        Assert.StartsWith("the lease was not renewed", lostA.Reason);
        atLeaseEnd.Join();
        Assert.Null(heldAtLeaseEnd);
        Assert.Null(a.Election.Current);
        var gainedB = Assert.IsType<LeadershipGained>(await b.NextChangeAsync(Successor));
        Assert.InRange(cut.Elapsed, deposedAfter, Successor);

        var unreachable = await Assert.ThrowsAsync<CoordinationUnavailable>(() => a.Store.AppendAsync(gainedA.Token, "web", 2, ["cut off"], default));
        Assert.Equal(CoordinationFailure.Timeout, unreachable.Failure);
        Assert.IsType<AppendResult.Committed>(await b.Store.AppendAsync(gainedB.Token, "web", 2, ["by ctl-b"], default));

        relay.Restore();
        Assert.Equal(new AppendResult.NotLeader("ctl-b"), await a.Store.AppendAsync(gainedA.Token, "web", 3, ["stale"], default));
        Assert.Equal(["by ctl-a", "by ctl-b"], (await b.Store.RangeAsync(b.Store.Keys.ServiceLog("web"), default)).Entries.Select(e => e.Value));
        // Back in touch, ctl-a follows: its old lease is gone, the key is ctl-b's.
        await Eventually.TrueAsync(() => a.Election.LeaderName == "ctl-b" && a.Presence.IsRegistered, "ctl-a to follow ctl-b", TimeSpan.FromSeconds(10));
        Assert.Null(a.Election.Current);
        Assert.Equal(gainedB.Token, b.Election.Current);
    }
}
