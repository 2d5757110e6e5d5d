using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Sites;

/// <summary>One service of a site failover: moved (<see cref="Kind"/> and <see cref="To"/> set) or skipped (<see cref="Why"/> says why).</summary>
public sealed record SiteStep(string Service, string From, RequestKind? Kind, string? To, string Why)
{
    public bool Moves => Kind is not null && To is not null;
}

/// <summary>
/// What failing a site over would do, service by service in the site's order; <see cref="Refused"/> set when some
/// service that must move has nowhere to go (then nothing is done).
/// </summary>
public sealed record SitePlan(string Site, IReadOnlyList<SiteStep> Steps, int ApprovalsNeeded, string? Refused)
{
    public IEnumerable<SiteStep> Moves => Steps.Where(s => s.Moves);
}

/// <summary>
/// Plans a site failover from the services' current states, without changing the decider: each service whose primary is
/// in the site moves by switchover when its primary is up and routable, by failover when not, to the best candidate
/// outside the site (the decider's own order and pre-checks, <see cref="ChangeChecks.TryTarget"/> with an explicit target).
/// </summary>
public static class SitePlanner
{
    public static SitePlan Plan(SiteSpec site, IReadOnlyDictionary<string, ServiceState> states, int approvalsNeeded)
    {
        var steps = new List<SiteStep>();
        var refusals = new List<string>();
        foreach (string name in site.Services)
        {
            if (!states.TryGetValue(name, out ServiceState? s))
            {
                refusals.Add($"{name}: the controller has no such service");
                continue;
            }
            string from = s.Failover?.From ?? s.Primary;
            if (SiteOf(s, from) != site.Name)
            {
                steps.Add(new SiteStep(name, from, null, null, $"skipped: its primary {from} is in {SiteOf(s, from) ?? "no site"}, not {site.Name}"));
                continue;
            }
            RequestKind kind = KindFor(s);
            if (TryOutside(s, site.Name, kind, out string target, out string whyNot))
                steps.Add(new SiteStep(name, from, kind, target, $"{kind.Text()} from {from} to {target}"));
            else
            {
                steps.Add(new SiteStep(name, from, kind, null, $"cannot move: {whyNot}"));
                refusals.Add($"{name}: {whyNot}");
            }
        }
        string? refused = refusals.Count == 0 ? null : $"site failover of {site.Name} refused: {string.Join("; ", refusals)}";
        return new SitePlan(site.Name, steps, approvalsNeeded, refused);
    }

    /// <summary>Switchover for a healthy primary that has the traffic; failover otherwise.</summary>
    public static RequestKind KindFor(ServiceState s) =>
        s.PrimaryMember.Health == Health.Up && s.Routable == s.Primary ? RequestKind.Switchover : RequestKind.Failover;

    public static string? SiteOf(ServiceState s, string member) => s.Spec.Members.FirstOrDefault(m => m.Name == member)?.Site;

    /// <summary>The first member outside <paramref name="site"/>, in candidate order, that the decider's pre-checks accept as the target.</summary>
    public static bool TryOutside(ServiceState s, string site, RequestKind kind, out string target, out string whyNot)
    {
        target = "";
        var outside = s.Spec.Members.Where(m => m.Site != site).Select(m => m.Name).ToList();
        if (outside.Count == 0)
        {
            whyNot = $"{s.Name} has no member outside {site}";
            return false;
        }
        // Ranked first (least lag, priority, config order), then the rest, only so that each gets its reason.
        var order = Candidates.Ranked(s).Select(m => m.Name).Where(outside.Contains).Concat(outside).Distinct().ToList();
        var reasons = new List<string>();
        foreach (string name in order)
        {
            if (ChangeChecks.TryTarget(s, kind, name, out target, out string why)) { whyNot = ""; return true; }
            reasons.Add(why);
        }
        // A blocker of the service itself (paused, a change under way, the primary's health) reads the same for every target.
        whyNot = reasons.Distinct().Count() == 1 ? reasons[0] : string.Join("; ", reasons.Distinct());
        return false;
    }

    /// <summary>Where a rollback may go: the original primary, only while it is a healthy caught-up candidate now (the decider's own checks).</summary>
    public static bool CanReturn(ServiceState s, string original, out string whyNot)
    {
        whyNot = "";
        if (s.Primary == original) return true;
        if (ChangeChecks.TryTarget(s, RequestKind.Switchover, original, out _, out whyNot)) return true;
        if (s.IsPostgres && s.Members.TryGetValue(original, out MemberState? m) && m.NeedsRejoin)
            whyNot = $"{original} was failed over from and needs a rejoin (understudy rejoin {s.Name} {original}) before it can take over again";
        return false;
    }
}
