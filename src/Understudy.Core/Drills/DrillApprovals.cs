using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Core.Drills;

/// <summary>A drill request as its events leave it (<see cref="DrillApprovals.Fold"/>).</summary>
public sealed record DrillApproval(string Id, string Service, string Name, string Digest, string RequestedBy, string Why, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, int ApprovalsNeeded, ImmutableArray<string> ApprovedBy, string? UsedBy = null, DateTimeOffset? UsedAt = null, bool Standing = false)
{
    public bool IsApproved => ApprovedBy.Length >= ApprovalsNeeded;

    /// <summary>
    /// used, awaiting_approval, approved or expired. A one-run approval unused still expires: it is for a drill soon, not one day.
    /// A standing one (a schedule's) must be approved before it expires, and then holds for every run of its file, used or not.
    /// </summary>
    public string State(DateTimeOffset now) => Standing
        ? IsApproved ? "approved" : now >= ExpiresAt ? "expired" : "awaiting_approval"
        : UsedAt is not null ? "used" : now >= ExpiresAt ? "expired" : IsApproved ? "approved" : "awaiting_approval";
}

/// <summary>
/// The two-person rule for production drills, folded from the journal alone (no state of its own, so every instance and a
/// restarted controller answer alike). Separate from failover requests: a drill request changes nothing the decider knows,
/// and must not hold up a failover the way an open request does.
/// </summary>
public static class DrillApprovals
{
    public const string IdPrefix = "d-";

    public static ImmutableDictionary<string, DrillApproval> Fold(IEnumerable<JournalEvent> events)
    {
        var all = ImmutableDictionary<string, DrillApproval>.Empty;
        foreach (JournalEvent e in events.OrderBy(e => e.Id))
        {
            all = e switch
            {
                DrillRequested r => all.SetItem(r.Request, new DrillApproval(r.Request, r.Service, r.Name, r.Digest, r.Actor, r.Why, r.Time, r.ExpiresAt, r.ApprovalsNeeded, [], Standing: r.Standing)),
                DrillApproved a when all.TryGetValue(a.Request, out var d) => all.SetItem(a.Request, d with { ApprovedBy = d.ApprovedBy.Add(a.Actor) }),
                DrillApprovalUsed u when all.TryGetValue(u.Request, out var d) => all.SetItem(u.Request, d with { UsedBy = u.Actor, UsedAt = u.Time }),
                _ => all,
            };
        }
        return all;
    }

    /// <summary>Why <paramref name="approver"/> may not approve the request now (the requester, twice, too late); null when they may.</summary>
    public static Refusal? CannotApprove(DrillApproval d, string approver, DateTimeOffset now) => d.State(now) switch
    {
        "used" => new(RefusalKind.Conflict, $"drill request {d.Id} was already used by a run of drill '{d.Name}'"),
        "expired" => new(RefusalKind.Conflict, $"drill request {d.Id} expired at {d.ExpiresAt:u}; ask for a new one with understudy drill request"),
        "approved" => new(RefusalKind.Conflict, $"drill request {d.Id} already has its {d.ApprovalsNeeded} approval(s)"),
        _ when approver == d.RequestedBy => new(RefusalKind.Forbidden, $"{approver} asked for drill request {d.Id}: another person must approve it"),
        _ when d.ApprovedBy.Contains(approver) => new(RefusalKind.Forbidden, $"{approver} already approved drill request {d.Id}: another person must approve it"),
        _ => null,
    };

    /// <summary>
    /// The request a run of this service, drill and file may use: the oldest approved, unexpired, unused one-run request, else a standing
    /// one (kept for the schedule, so a hand-run drill does not spend it for nothing); null when there is none.
    /// </summary>
    public static DrillApproval? Usable(IEnumerable<DrillApproval> all, string service, string name, string digest, DateTimeOffset now) =>
        all.Where(d => d.Service == service && d.Name == name && d.Digest == digest && d.State(now) == "approved").OrderBy(d => d.Standing).ThenBy(d => d.CreatedAt).FirstOrDefault();

    /// <summary>An approved standing request for this file: what a production schedule needs before each run.</summary>
    public static DrillApproval? Standing(IEnumerable<DrillApproval> all, string service, string name, string digest, DateTimeOffset now) =>
        all.Where(d => d.Standing && d.Service == service && d.Name == name && d.Digest == digest && d.State(now) == "approved").MinBy(d => d.CreatedAt);

    /// <summary>Why no request allows the run, and what to do: the API's 409 and the drill's exit-2 message.</summary>
    public static string Refusal(IEnumerable<DrillApproval> all, string service, string name, string digest, DateTimeOffset now)
    {
        var same = all.Where(d => d.Service == service && d.Name == name).ToList();
        string what = $"drill '{name}' on service {service} needs an approved drill request for this file (sha256 {digest[..12]}…)";
        string seen = same.Count == 0 ? "none was made"
            : same.All(d => d.Digest != digest) ? "the requests made were for another version of the file (it changed since)"
            : string.Join("; ", same.Where(d => d.Digest == digest).Select(d => $"{d.Id} is {d.State(now).Replace('_', ' ')}"));
        return $"{what}: {seen}. Ask with understudy drill request FILE --reason TEXT (--standing for a schedule), have another person run understudy approve ID, then run it again";
    }
}
