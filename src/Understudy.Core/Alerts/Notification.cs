using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Alerts;

/// <summary>How a notification relates to the condition its dedup key names.</summary>
public enum AlertAction
{
    /// <summary>A condition began (PagerDuty: trigger).</summary>
    Trigger,
    /// <summary>The condition ended (PagerDuty: resolve with the same dedup key).</summary>
    Resolve,
    /// <summary>News that opens nothing to resolve (a planned switchover); PagerDuty is not paged for it.</summary>
    Info,
}

/// <summary>PagerDuty's four severities, which the other channels show too.</summary>
public enum AlertSeverity { Info, Warning, Error, Critical }

/// <summary>
/// What people are told about one journal event. <see cref="DedupKey"/> names the condition (service,
/// kind of condition, member), so a trigger and its resolve share it.
/// </summary>
/// <param name="Kind">The journal event type, or <c>drill.failed</c> / <c>drill.aborted</c> for a drill's verdict.</param>
public sealed record Notification(
    string Service,
    string Kind,
    AlertTopics Topic,
    AlertSeverity Severity,
    AlertAction Action,
    string DedupKey,
    string Summary,
    JournalEvent Event);
