using Understudy.Core.Detection;

namespace Understudy.Core.Failover;

/// <summary>
/// Candidate order from DESIGN.md: drop unhealthy members, nofailover ones and, for PostgreSQL, any whose
/// lag exceeds max_lag (or is unknown), and in synchronous mode any that is not synchronous while one is;
/// then least lag, highest priority, config order.
/// </summary>
public static class Candidates
{
    public static MemberState? Pick(ServiceState state) => Ranked(state).FirstOrDefault();

    public static IEnumerable<MemberState> Ranked(ServiceState state) =>
        state.Members.Values
            .Where(m => IsPromotable(state, m, out _))
            .OrderBy(m => state.IsReplicated ? state.LagOf(m.Name) ?? long.MaxValue : 0)
            // Lag is clamped at 0 against the primary's last seen position: among those, the one that received the most.
            .ThenByDescending(m => m.Replication?.ReceiveLsn ?? -1)
            .ThenByDescending(m => state.Spec.Member(m.Name).Priority)
            .ThenBy(m => state.Spec.ConfigOrder(m.Name));

    /// <summary>Why nobody can take over, member by member: "web-b: it is down; web-c: nofailover".</summary>
    public static string WhyNone(ServiceState state) => string.Join("; ", state.Spec.Members
        .Where(m => m.Name != state.Primary)
        .Select(m => IsPromotable(state, state.Members[m.Name], out string whyNot) ? null : $"{m.Name}: {whyNot}")
        .OfType<string>()) is { Length: > 0 } text ? text : "there is no other member";

    public static bool IsPromotable(ServiceState state, MemberState member, out string whyNot)
    {
        whyNot = WhyNotForced(state, member) ?? (state.IsReplicated ? WhyNotByLag(state, member) : null) ?? "";
        return whyNot.Length == 0;
    }

    /// <summary>The PostgreSQL rules a forced failover may override: lag, streaming, synchronous; about a healthy standby.</summary>
    private static string? WhyNotByLag(ServiceState state, MemberState member)
    {
        if (state.PrimaryMember.Replication is null) return $"its lag is unknown ({state.Primary} has not been seen writable since this controller started)";
        // Streaming from the primary proves it follows the primary's timeline; a standby left behind on an
        // old timeline (re-pointing failed) may be "ahead" by WAL the primary never had.
        if (!state.StreamsFromPrimary(member.Name)) return $"it was not streaming from {state.Primary} when last seen";
        if (state.LagOf(member.Name) is not { } lag) return "its lag is unknown (no WAL position of the primary to compare)";
        long max = state.Spec.Failover.MaxLagBytes;
        if (lag > max) return $"lag {ReplicationView.Bytes(lag)} > max_lag {ReplicationView.Bytes(max)}";
        // Every acknowledged commit is on the standby proven synchronous and caught up; on no other for sure, and on
        // none while none is proven (the setting was cleared, or names a standby still catching up).
        if (state.IsPostgres && state.Spec.Failover.Synchronous)
        {
            if (state.SyncConfirmed != member.Name)
                return state.SyncConfirmed is { } sync
                    ? $"not the synchronous standby ({sync} is)"
                    : "no standby is known to hold every acknowledged commit (none has been synchronous and caught up since the setting last changed)";
            // What the server last said, beside what the controller wrote: someone may have changed the setting behind its back.
            if (!state.PrimaryMember.Replication!.SyncStandbys.Contains(member.Name)) return $"{state.Primary} did not report it synchronous when last seen";
        }
        return null;
    }

    /// <summary>
    /// An operator's forced PostgreSQL failover when no standby passes the lag rules (its lag unknown, say after a restart
    /// with the primary already gone): every healthy standby that is not nofailover nor awaiting rejoin, the most
    /// advanced first (received WAL), then priority and config order. Whatever the primary wrote past it is lost.
    /// </summary>
    public static IEnumerable<MemberState> ForcedRanked(ServiceState state) =>
        state.Spec.Members.Select(m => state.Members[m.Name])
            .Where(m => WhyNotForced(state, m) is null)
            .OrderByDescending(m => m.Replication!.ReceiveLsn ?? -1)
            .ThenByDescending(m => state.Spec.Member(m.Name).Priority)
            .ThenBy(m => state.Spec.ConfigOrder(m.Name));

    /// <summary>Why a member cannot be promoted even by force: the rules that protect more than lag.</summary>
    public static string? WhyNotForced(ServiceState state, MemberState member) => member switch
    {
        _ when member.Name == state.Primary => "it is the primary",
        { NeedsRejoin: true } => "it was failed over from and needs an operator to rejoin it",
        _ when state.Spec.Member(member.Name).NoFailover => "nofailover is set",
        { Health: Health.Down } => "it is down",
        { Health: Health.Unknown } => "it has not passed a check yet",
        { Replication: null } when state.IsReplicated => "its role was never seen",
        { Replication.InRecovery: false } when state.IsReplicated => "it accepts writes (not a standby)",
        _ => null,
    };
}
