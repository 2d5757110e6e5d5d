using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// Many eyes (several controllers): the leader fails the primary over only when its own checks see it down and, with
/// it, at least the quorum of live instances do. Instances that cannot reach a primary the others reach are a
/// suspect network, not a dead primary: they are journaled (<c>member.unreachable_from</c>) and named in an alert,
/// once per distinct set, after the others had the time of a whole fall to agree.
/// </summary>
internal static class QuorumRules
{
    /// <summary>Whether the primary's fall may be acted on: alone always; with peers, only when a quorum sees it down.</summary>
    public static bool Agreed(ServiceState s) =>
        s.Eyes.IsAlone || (s.PrimaryMember.Health == Health.Down && Seeing(s).Count >= s.Eyes.Quorum);

    /// <summary>Why a primary this instance sees down is not failed over yet: the quorum's count.</summary>
    public static string Waiting(ServiceState s) =>
        $"primary {s.Primary} is down here but only {Seeing(s).Count} of the {s.Eyes.Instances} live instances see it down ({s.Eyes.Quorum} must): not failed over";

    /// <summary>Follows who cannot reach the primary while it is not being failed over, and reports a split that lasts.</summary>
    public static void Watch(DecisionBuilder d)
    {
        ServiceState s = d.State;
        ImmutableSortedSet<string> seeing = s.Eyes.IsAlone || s.Failover is not null ? [] : Seeing(s);
        if (seeing.IsEmpty || Agreed(s))
        {
            if (s.Split is not null) d.Observe(new ReachSplitSeen(null));
            return;
        }
        if (s.Split is not { } split || !split.Seeing.SetEquals(seeing))
        {
            d.Observe(new ReachSplitSeen(new ReachSplit(seeing, d.Now, Reported: false)));
            return;
        }
        if (split.Reported || d.Now - split.Since < Grace(s)) return;

        var reachable = s.Eyes.NotSeeingDown(s.Primary, s.PrimaryMember.Health == Health.Down);
        string who = string.Join(", ", seeing);
        string reason = seeing.Count >= s.Eyes.Quorum
            ? $"{who} cannot reach primary {s.Primary}, but this leader ({s.Eyes.Self}) still does: not failed over; their network is suspect"
            : $"{who} cannot reach primary {s.Primary} while {string.Join(", ", reachable)} can ({seeing.Count} of {s.Eyes.Instances}, quorum {s.Eyes.Quorum}): not failed over; the network of {who} is suspect";
        d.Emit(new MemberUnreachableFrom([.. seeing], [.. reachable], s.Eyes.Quorum) { Member = s.Primary, Reason = reason });
        d.Alert("warning", $"{s.Name}: {reason}", s.Primary);
        d.Observe(new ReachSplitSeen(split with { Reported = true }));
    }

    private static ImmutableSortedSet<string> Seeing(ServiceState s) => s.Eyes.SeeingDown(s.Primary, s.PrimaryMember.Health == Health.Down);

    /// <summary>The others confirm back to back once one instance suspects the primary: a whole fall, with its intervals, is generous.</summary>
    private static TimeSpan Grace(ServiceState s) => s.Spec.Check.Fall * (s.Spec.Check.Interval + s.Spec.Check.Timeout);
}
