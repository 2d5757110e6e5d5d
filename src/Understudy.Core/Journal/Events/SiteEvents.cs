namespace Understudy.Core.Journal;

/// <summary>
/// A site failover's phases, journaled through each service it involves (informational: the service's own request,
/// switchover or failover events carry the change). <c>Operation</c> is the site operation's id (<c>s-…</c>),
/// <c>Site</c> the site moved off; the event's <c>member</c> is the member the service moves to (or back to).
/// </summary>
public interface ISiteEvent
{
    string Operation { get; }
    string Site { get; }
}

/// <summary>A person asked to fail a site over; it waits for approvals (journaled through each service it would move).</summary>
/// <param name="RequestReason">Why the operation was asked (the event's reason quotes it among the plan).</param>
/// <param name="ExpiresAt">Not approved by then, it expires (<see cref="SiteExpired"/>).</param>
/// <param name="Kind">How this service would move (switchover or failover), from <paramref name="From"/> to the event's member.</param>
public sealed record SiteRequested(string Operation, string Site, string RequestedBy, int ApprovalsNeeded, string? RequestReason = null, DateTimeOffset? ExpiresAt = null,
    string? Kind = null, string? From = null) : JournalEvent, IInformational, ISiteEvent;

/// <summary>One more approver; it runs once <paramref name="Approvals"/> reaches <paramref name="ApprovalsNeeded"/>.</summary>
public sealed record SiteApproved(string Operation, string Site, string ApprovedBy, string Comment, int Approvals, int ApprovalsNeeded) : JournalEvent, IInformational, ISiteEvent;

/// <summary>Not approved by <paramref name="ExpiresAt"/>: it will not run; nothing moved.</summary>
public sealed record SiteExpired(string Operation, string Site, DateTimeOffset ExpiresAt) : JournalEvent, IInformational, ISiteEvent;

/// <summary>
/// A controller took over an operation that was under way when its previous one stopped (a restart, a new leader):
/// <paramref name="ResumedBy"/> names that instance, <paramref name="State"/> is what it resumes (executing, rolling_back).
/// </summary>
public sealed record SiteResumed(string Operation, string Site, string ResumedBy, string State) : JournalEvent, IInformational, ISiteEvent;

/// <summary>Rejected by an approver, or withdrawn by its requester, before it ran: nothing moved.</summary>
public sealed record SiteRejected(string Operation, string Site, string RejectedBy, string Comment) : JournalEvent, IInformational, ISiteEvent;

/// <summary>The operation starts on this service: its request <paramref name="Request"/> was handed to the service's loop.</summary>
public sealed record SiteStarted(string Operation, string Site, string Request, string Kind, string From, string To) : JournalEvent, IInformational, ISiteEvent;

/// <summary>The service was moved and verified: its routable member is <paramref name="To"/>, healthy.</summary>
public sealed record SiteServiceMoved(string Operation, string Site, string Request, string From, string To) : JournalEvent, IInformational, ISiteEvent;

/// <summary>The operation stopped at this service; the reason says why. Alerts.</summary>
public sealed record SiteFailed(string Operation, string Site) : JournalEvent, IInformational, ISiteEvent;

/// <summary>A service moved earlier by the operation was switched back to its original primary (or could not be: <paramref name="Succeeded"/> false, the reason says why).</summary>
public sealed record SiteRolledBack(string Operation, string Site, string To, bool Succeeded) : JournalEvent, IInformational, ISiteEvent;

/// <summary>Every service of the site was moved (or was already elsewhere).</summary>
public sealed record SiteCompleted(string Operation, string Site) : JournalEvent, IInformational, ISiteEvent;
