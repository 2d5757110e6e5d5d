using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Core.Drills;

/// <summary>
/// Whether a drill may start on a service now: only one that is steady enough to fail over safely. A drill on a
/// paused, degraded or changing service, or on one with nobody to take over, would test the wrong thing or make an
/// outage worse.
/// </summary>
public static class DrillPreflight
{
    /// <summary>Why a drill must not start on <paramref name="s"/> now; null when it may.</summary>
    public static string? WhyNot(ServiceState s) => s switch
    {
        { Pause: { } p } => $"{s.Name} is paused ({p.By}: {p.Reason})",
        { Failover.Stage: FailoverStage.FenceFailed } or { Degraded: true } => $"{s.Name} is degraded" + (s.HoldReason is { } why ? $" ({why})" : ""),
        { Failover: { } f } => $"{s.Name} is mid-change: a {f.Word} from {f.From} to {f.To} is under way",
        { Request: { } r } => $"{s.Name} is mid-change: request {r.Id} is open",
        { PendingVeto: { } v } => $"{s.Name} is mid-change: a {v.Kind.Text()} from {v.From} to {v.To} awaits its veto hooks",
        _ when s.PrimaryMember.Health != Health.Up => $"{s.Name}'s primary {s.Primary} is {s.PrimaryMember.Health.ToString().ToLowerInvariant()}",
        _ when Candidates.Pick(s) is null => $"{s.Name} has no healthy failover target caught up within max_lag ({Candidates.WhyNone(s)})",
        _ => null,
    };
}
