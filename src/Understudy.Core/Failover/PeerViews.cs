using System.Collections.Immutable;

namespace Understudy.Core.Failover;

/// <summary>
/// Many eyes: what the other live instances' own checks say of the members, and how many instances must see the
/// primary down before it is failed over. Never journaled: every instance re-learns it from etcd, as it re-learns
/// health from its own checks. A single controller is <see cref="Alone"/> and decides on its own checks.
/// </summary>
/// <param name="Self">This instance's name (it is never among <paramref name="Peers"/>).</param>
/// <param name="Quorum">Instances, this one included, that must see the primary down.</param>
/// <param name="Peers">The other instances registered in etcd now, whether or not they published a view.</param>
/// <param name="DownFrom">Member → the peers whose checks last said it is down.</param>
public sealed record PeerViews(string Self, int Quorum, ImmutableSortedSet<string> Peers, ImmutableDictionary<string, ImmutableSortedSet<string>> DownFrom)
{
    public static readonly PeerViews Alone = new("", 1, [], ImmutableDictionary<string, ImmutableSortedSet<string>>.Empty);

    /// <summary>
    /// An instance of a cluster before it has read who is live and what they see: nothing is agreed yet, so a new or
    /// restarted instance that leads at once cannot fail anything over on its own checks alone.
    /// </summary>
    public static PeerViews Unknown(string self) => new(self, int.MaxValue, [], ImmutableDictionary<string, ImmutableSortedSet<string>>.Empty);

    public bool IsAlone => Peers.IsEmpty && Quorum <= 1;

    public override string ToString() =>
        $"PeerViews {{ Self = {Self}, Quorum = {(Quorum == int.MaxValue ? "unknown" : Quorum)}, Peers = [{string.Join(", ", Peers)}], Down = [{string.Join("; ", DownFrom.OrderBy(p => p.Key).Select(p => $"{p.Key}: {string.Join(", ", p.Value)}"))}] }}";

    /// <summary>Live instances, this one included.</summary>
    public int Instances => Peers.Count + 1;

    /// <summary>A majority of <paramref name="instances"/>: the default quorum.</summary>
    public static int Majority(int instances) => instances / 2 + 1;

    /// <summary>Live instances that see <paramref name="member"/> down; this one when <paramref name="downHere"/>.</summary>
    public ImmutableSortedSet<string> SeeingDown(string member, bool downHere)
    {
        var peers = DownFrom.TryGetValue(member, out var down) ? down.Intersect(Peers) : [];
        return downHere && Self.Length > 0 ? peers.Add(Self) : peers;
    }

    /// <summary>Live instances that do not see <paramref name="member"/> down (they reach it, or have not said yet).</summary>
    public ImmutableSortedSet<string> NotSeeingDown(string member, bool downHere) =>
        Peers.Add(Self).Except(SeeingDown(member, downHere)).Remove("");
}

/// <summary>A split view of the primary being watched: who cannot reach it, since when, and whether it was journaled.</summary>
public sealed record ReachSplit(ImmutableSortedSet<string> Seeing, DateTimeOffset Since, bool Reported);

/// <summary>A fact the decider folds but never journals (health counts, peers' views): re-learned after a restart.</summary>
public abstract record Observation : Journal.Fact;

/// <summary>The peers' views changed (or the live instances did).</summary>
public sealed record PeersSeen(PeerViews Views) : Observation;

/// <summary>Who cannot reach the primary changed (null: everyone reaches it, or a quorum agreed), or was journaled.</summary>
public sealed record ReachSplitSeen(ReachSplit? Split) : Observation;
