using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>Many eyes: with three instances (this one is ctl-a), the primary is failed over only when a quorum sees it down.</summary>
public class DeciderQuorumTests
{
    private static PeersObserved Views(params (string Instance, string[] Down)[] peers) => Views(quorum: 2, peers);

    private static PeersObserved Views(int quorum, params (string Instance, string[] Down)[] peers)
    {
        var down = peers.SelectMany(p => p.Down.Select(m => (Member: m, p.Instance)))
            .GroupBy(x => x.Member).ToImmutableDictionary(g => g.Key, g => g.Select(x => x.Instance).ToImmutableSortedSet());
        return new PeersObserved(new PeerViews("ctl-a", quorum, [.. peers.Select(p => p.Instance)], down));
    }

    private static ServiceState ThreeInstances() =>
        Decider.Decide(AllUp(Http(), T0), Views(("ctl-b", []), ("ctl-c", [])), At(0.5)).State;

    private static ServiceState DownHere(ServiceState s, double from, out Decision last)
    {
        last = null!;
        for (int i = 0; i < 3; i++)
        {
            last = Decider.Decide(s, Fail("web-a", At(from + i * 0.2)), At(from + i * 0.2));
            s = last.State;
        }
        return s;
    }

    [Fact]
    public void Decide_PrimaryDownHereOnly_NotFailedOverUntilAPeerAgrees()
    {
        var s = DownHere(ThreeInstances(), 1, out var down);
        Assert.Equal([EventTypes.MemberDown], down.Types());
        Assert.Empty(down.Plan);
        Assert.Equal(1, down.State.Epoch);
        var again = Decider.Decide(s, Fail("web-a", At(1.6)), At(1.6));
        Assert.Equal("primary web-a is down here but only 1 of the 3 live instances see it down (2 must): not failed over", again.Reason);
        s = again.State;

        var agreed = Decider.Decide(s, Views(("ctl-b", ["web-a"]), ("ctl-c", [])), At(1.5));
        Assert.Equal([EventTypes.FailoverStarted], agreed.Types());
        Assert.Equal<Step>([new FenceMember("web-a", "web-b", 2)], agreed.Plan);
    }

    [Fact]
    public void Decide_PeersSawItFirst_FailsOverAtThisInstancesOwnFall()
    {
        var s = Decider.Decide(ThreeInstances(), Views(("ctl-b", ["web-a"]), ("ctl-c", ["web-a"])), At(1)).State;
        Assert.Equal(1, s.Epoch);
        s = DownHere(s, 1.1, out var down);
        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], down.Types());
        Assert.Equal(2, s.Epoch);
    }

    [Fact]
    public void Decide_OnlyAMinorityCannotReachThePrimary_JournaledOnceAfterAFallAndAlerted()
    {
        // ctl-c alone sees web-a down: nothing at once (the others may be about to agree)...
        var s = ThreeInstances();
        var first = Decider.Decide(s, Views(("ctl-b", []), ("ctl-c", ["web-a"])), At(1));
        Assert.Empty(first.Events);
        s = first.State;
        // ...still split after a whole fall (3 × (200 + 100) ms): journaled and alerted, once.
        var later = Decider.Decide(s, Ok("web-a", At(2)), At(2));
        var unreachable = Assert.IsType<MemberUnreachableFrom>(later.Events[0]);
        Assert.Equal(["ctl-c"], unreachable.Instances.ToArray());
        Assert.Equal(["ctl-a", "ctl-b"], unreachable.ReachableFrom.ToArray());
        Assert.Equal("web-a", unreachable.Member);
        Assert.Equal("ctl-c cannot reach primary web-a while ctl-a, ctl-b can (1 of 3, quorum 2): not failed over; the network of ctl-c is suspect", unreachable.Reason);
        Assert.Equal([EventTypes.MemberUnreachableFrom, EventTypes.AlertRaised], later.Types());
        Assert.Empty(later.Plan);
        s = later.State;
        Assert.Empty(Decider.Decide(s, Ok("web-a", At(3)), At(3)).Events);

        // Healed, then a different instance loses it: a new report for the new set.
        s = Decider.Decide(s, Views(("ctl-b", []), ("ctl-c", [])), At(4)).State;
        Assert.Null(s.Split);
        s = Decider.Decide(s, Views(("ctl-b", ["web-a"]), ("ctl-c", [])), At(5)).State;
        var again = Decider.Decide(s, Ok("web-a", At(6)), At(6));
        Assert.Equal(["ctl-b"], Assert.IsType<MemberUnreachableFrom>(again.Events[0]).Instances.ToArray());
    }

    [Fact]
    public void Decide_AMajorityCannotReachAPrimaryThisLeaderReaches_NotFailedOverAndSaidSo()
    {
        var s = Decider.Decide(ThreeInstances(), Views(("ctl-b", ["web-a"]), ("ctl-c", ["web-a"])), At(1)).State;
        var later = Decider.Decide(s, Ok("web-a", At(2)), At(2));
        Assert.Equal(1, later.State.Epoch);
        Assert.Equal("ctl-b, ctl-c cannot reach primary web-a, but this leader (ctl-a) still does: not failed over; their network is suspect",
            Assert.IsType<MemberUnreachableFrom>(later.Events[0]).Reason);
    }

    [Fact]
    public void Decide_APeerThatLeftTheCluster_NoLongerCounts()
    {
        // ctl-c said down, then its presence ended: its stale view must not make a quorum.
        var s = DownHere(ThreeInstances(), 1, out _);
        var gone = new PeersObserved(new PeerViews("ctl-a", 2, ["ctl-b"],
            ImmutableDictionary<string, ImmutableSortedSet<string>>.Empty.Add("web-a", ["ctl-c"])));
        var d = Decider.Decide(s, gone, At(2));
        Assert.Empty(d.Plan);
        Assert.Equal(1, d.State.Epoch);
    }

    [Fact]
    public void Decide_QuorumOfOne_ThisInstanceDecidesAloneAsASingleControllerDoes()
    {
        var s = Decider.Decide(AllUp(Http(), T0), Views(quorum: 1, ("ctl-b", []), ("ctl-c", [])), At(0.5)).State;
        DownHere(s, 1, out var down);
        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], down.Types());
    }

    [Fact]
    public void Decide_QuorumAboveTheLiveInstances_NeverFailsOverAutomatically()
    {
        var s = Decider.Decide(AllUp(Http(), T0), Views(quorum: 3, ("ctl-b", ["web-a"])), At(0.5)).State;
        s = DownHere(s, 1, out var down);
        Assert.Empty(down.Plan);
        var later = Decider.Decide(s, Fail("web-a", At(3)), At(3));
        Assert.Equal(["ctl-a", "ctl-b"], Assert.IsType<MemberUnreachableFrom>(later.Events[0]).Instances.ToArray());
        Assert.Equal(1, later.State.Epoch);
    }

    [Fact]
    public void Fold_PeerViewsAndSplits_AreObservedNeverJournaled()
    {
        var s = DownHere(ThreeInstances(), 1, out _);
        var d = Decider.Decide(s, Views(("ctl-b", []), ("ctl-c", [])), At(1.6));
        Assert.Empty(d.Events);
        Assert.Contains(d.Observations, o => o is PeersSeen);
        Assert.All(d.Observations, o => Assert.IsNotType<JournalEvent>(o, exactMatch: false));
    }
}
