using Understudy.Core.Detection;

namespace Understudy.Core.Failover;

/// <summary>Candidate order from DESIGN.md: healthy and eligible members, highest priority, then config order.</summary>
public static class Candidates
{
    public static MemberState? Pick(ServiceState state) => Ranked(state).FirstOrDefault();

    public static IEnumerable<MemberState> Ranked(ServiceState state) =>
        state.Members.Values
            .Where(m => IsPromotable(state, m, out _))
            .OrderByDescending(m => state.Spec.Member(m.Name).Priority)
            .ThenBy(m => state.Spec.ConfigOrder(m.Name));

    public static bool IsPromotable(ServiceState state, MemberState member, out string whyNot)
    {
        whyNot = member switch
        {
            _ when member.Name == state.Primary => "it is the primary",
            { NeedsRejoin: true } => "it was failed over from and needs an operator to rejoin it",
            { Health: not Health.Up } => $"it is {member.Health.ToString().ToLowerInvariant()}",
            _ => "",
        };
        return whyNot.Length == 0;
    }
}
