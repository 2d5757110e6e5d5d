using Understudy.Core.Journal;

namespace Understudy.Incidents;

public enum IncidentKind { Failover, Switchover }

/// <summary>A phase boundary of an incident: its name and the event that marks it, null when it has not happened.</summary>
public sealed record Milestone(string Name, JournalEvent? Event);

/// <summary>
/// One failover or switchover, picked out of a service's journal by <see cref="IncidentTimeline.Find"/>: the
/// events that mark its phases, the request of the person who asked for it (none when it was automatic) and
/// every event of the service from a little before its first sign to its end.
/// </summary>
/// <param name="Started">failover.started (epoch N) or switchover.started (epoch N − 1).</param>
/// <param name="Ended">The completed or failed event; null while it is still under way.</param>
/// <param name="Detected">The old primary's first sign of failure (member.suspected or member.down); none for a switchover.</param>
/// <param name="Switched">traffic.switched, once traffic moved to the new primary.</param>
/// <param name="Origin">The instant the report counts from: the earliest phase that happened.</param>
/// <param name="Timeline">Every event of the service from <paramref name="TimelineFrom"/> to the end (with what was journaled at that same instant).</param>
public sealed record Incident(
    string Service,
    long Epoch,
    IncidentKind Kind,
    string From,
    string To,
    JournalEvent Started,
    JournalEvent? Ended,
    JournalEvent? Detected,
    JournalEvent? Switched,
    IReadOnlyList<Milestone> Milestones,
    IReadOnlyList<JournalEvent> Request,
    DateTimeOffset Origin,
    IReadOnlyList<JournalEvent> Timeline,
    DateTimeOffset TimelineFrom)
{
    public string? RequestId => Started switch { FailoverStarted f => f.Request, SwitchoverStarted w => w.Request, _ => null };

    public bool Completed => Ended?.Type is EventTypes.FailoverCompleted or EventTypes.SwitchoverCompleted;

    /// <summary>
    /// Where the controller's view of the outage begins: the first sign of failure, or for a switchover the
    /// start of the drain (new connections are held from then on).
    /// </summary>
    public JournalEvent? OutageBegan => Kind == IncidentKind.Switchover ? Started : Detected;
}
