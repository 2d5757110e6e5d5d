using Understudy.Core.Journal;

namespace Understudy.Incidents;

public enum SiteOutcome { UnderWay, Completed, Failed, Rejected, Expired }

/// <summary>
/// One service of a site operation as the journal recorded it, in the site's order. <see cref="From"/> and
/// <see cref="Kind"/> are known once the service started to move (site.started); before that only the planned target.
/// </summary>
/// <param name="Started">switchover.started or failover.started of the operation's request on this service.</param>
/// <param name="Switched">traffic.switched of that change.</param>
/// <param name="RequestEnded">The end of that request: request.completed or request.failed.</param>
/// <param name="Moved">site.service_moved: the move was verified (routable, up).</param>
/// <param name="StoppedHere">site.failed, when the operation stopped at this service.</param>
/// <param name="RollbackRequest">The switchover back to <see cref="From"/>, when one was needed.</param>
public sealed record SiteServiceRecord(
    string Service,
    int Order,
    string? From,
    string? To,
    string? Kind,
    string? Request,
    JournalEvent? Started,
    JournalEvent? Switched,
    JournalEvent? RequestEnded,
    JournalEvent? Moved,
    JournalEvent? StoppedHere,
    SiteRolledBack? RolledBack,
    string? RollbackRequest)
{
    /// <summary>The controller's estimate of this service's outage: from the start of its change to traffic.switched.</summary>
    public double? OutageMs => Started is { } s && Switched is { } w ? (w.Time - s.Time).TotalMilliseconds : null;
}

/// <summary>
/// One site failover, picked out of the journal of every service by <see cref="SiteIncidentTimeline.Find"/>: its own
/// site.* events, and each involved service's request and change events for the requests it started.
/// </summary>
/// <param name="Requested">The first site.requested: the report counts from here.</param>
/// <param name="Ended">site.completed, the last site.rolled_back after site.failed (else site.failed), site.rejected or site.expired; null while under way.</param>
/// <param name="Phases">detect (the request), validate, approve, execute, verify, roll back; a phase that did not happen has no event.</param>
public sealed record SiteIncident(
    string Operation,
    string Site,
    SiteOutcome Outcome,
    string RequestedBy,
    int ApprovalsNeeded,
    IReadOnlyList<string> ApprovedBy,
    JournalEvent Requested,
    JournalEvent? Ended,
    IReadOnlyList<Milestone> Phases,
    IReadOnlyList<SiteServiceRecord> Services,
    IReadOnlyList<JournalEvent> Timeline)
{
    public DateTimeOffset Origin => Requested.Time;

    public DateTimeOffset Last => (Ended ?? Timeline[^1]).Time;

    /// <summary>Every service moved before the failure went back to its original primary.</summary>
    public bool FullyRolledBack => Services.Where(s => s.Moved is not null).All(s => s.RolledBack?.Succeeded == true);
}
