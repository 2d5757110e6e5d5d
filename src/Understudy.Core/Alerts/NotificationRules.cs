using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Alerts;

/// <summary>
/// Which journal events people are told about, and how: a pure mapping, one rule per event type. The dedup
/// key names the condition (service, kind of condition, member), so a trigger and its resolve share it.
/// </summary>
public static class NotificationRules
{
    /// <summary>The notification for <paramref name="e"/>, or null when nobody needs to hear of it.</summary>
    public static Notification? For(JournalEvent e) => e.Type switch
    {
        // Each failover is its own condition, keyed by the epoch it creates: one is never rate-limited by the last.
        EventTypes.FailoverStarted => New(e, AlertTopics.Failover, AlertSeverity.Critical, AlertAction.Trigger, $"failover/epoch-{e.Epoch}"),
        EventTypes.FailoverFailed => New(e, AlertTopics.Failover, AlertSeverity.Critical, AlertAction.Trigger, $"failover/epoch-{e.Epoch}"),
        // A failover stopped at a failed fence is the same condition, now waiting for a person; forcing it is news to the others.
        EventTypes.FailoverBlocked => New(e, AlertTopics.Failover, AlertSeverity.Critical, AlertAction.Trigger, $"failover/epoch-{e.Epoch}"),
        EventTypes.FailoverForced => New(e, AlertTopics.Failover, AlertSeverity.Warning, AlertAction.Trigger, $"failover/epoch-{e.Epoch}"),
        EventTypes.FailoverCompleted => New(e, AlertTopics.Failover, AlertSeverity.Warning, AlertAction.Resolve, $"failover/epoch-{e.Epoch}"),
        EventTypes.SwitchoverCompleted => New(e, AlertTopics.Failover, AlertSeverity.Info, AlertAction.Info, "switchover"),
        // A hold (manual mode, paused, cooldown) leaves the service without a primary as surely as having no
        // candidate does; service.restored ends both.
        EventTypes.ServiceDegraded or EventTypes.FailoverHeld => New(e, AlertTopics.Degraded, AlertSeverity.Critical, AlertAction.Trigger, "degraded"),
        EventTypes.ServiceRestored => New(e, AlertTopics.Degraded, AlertSeverity.Info, AlertAction.Resolve, "degraded"),
        EventTypes.MemberDown => New(e, AlertTopics.Member, AlertSeverity.Error, AlertAction.Trigger, $"member/{e.Member}"),
        EventTypes.MemberUp => New(e, AlertTopics.Member, AlertSeverity.Info, AlertAction.Resolve, $"member/{e.Member}"),
        // A request that runs at once needs nobody; one awaiting approval needs an approver.
        EventTypes.RequestCreated when e is RequestCreated { ApprovalsNeeded: > 0 } =>
            New(e, AlertTopics.Request, AlertSeverity.Warning, AlertAction.Trigger, "request"),
        EventTypes.DrillCompleted when e is DrillCompleted drill => Drill(drill),
        // Passed, but worse than its recent past: the failover path got slower or lossier, and someone should know before it fails.
        // The drill's own key, so that its next good run resolves it as it resolves a failure.
        // A drill that was due and did not run (paused, degraded, no approval): news, not a page; the throttle keeps a
        // seconds-resolution schedule from repeating it.
        EventTypes.DrillSkipped when e is DrillSkipped s => New(e, AlertTopics.Drill, AlertSeverity.Warning, AlertAction.Info, $"drill/{s.Name}/skipped"),
        EventTypes.DrillRegressed when e is DrillRegressed r => New(e, AlertTopics.Drill, AlertSeverity.Warning, AlertAction.Trigger, $"drill/{r.Name}"),
        // Health fell after a deploy: someone must look at it, the more urgently when the rollback did not work.
        EventTypes.DeployRolledBack when e is DeployRolledBack d => New(e, AlertTopics.Degraded, d.Succeeded ? AlertSeverity.Error : AlertSeverity.Critical,
            AlertAction.Trigger, "deploy"),
        // A site failover that stopped part-way leaves services split between sites: someone must look now.
        EventTypes.SiteFailed when e is SiteFailed f => New(e, AlertTopics.Failover, AlertSeverity.Critical, AlertAction.Trigger, $"site/{f.Operation}"),
        // A site failover awaiting approval needs an approver, as a service's request does, until it is decided or lapses.
        EventTypes.SiteRequested when e is SiteRequested { ApprovalsNeeded: > 0 } r => Site(e, r.Operation, AlertSeverity.Warning, AlertAction.Trigger),
        EventTypes.SiteApproved when e is SiteApproved a && a.Approvals >= a.ApprovalsNeeded => Site(e, a.Operation, AlertSeverity.Info, AlertAction.Resolve),
        EventTypes.SiteRejected when e is SiteRejected j => Site(e, j.Operation, AlertSeverity.Info, AlertAction.Resolve),
        EventTypes.SiteExpired when e is SiteExpired x => Site(e, x.Operation, AlertSeverity.Warning, AlertAction.Resolve),
        // Each instance tells of itself; the same key from every instance lets PagerDuty fold them into one incident.
        EventTypes.ClusterAlert when e is ClusterAlert c => New(e, AlertTopics.Degraded, c.Resolved ? AlertSeverity.Info : AlertSeverity.Critical,
            c.Resolved ? AlertAction.Resolve : AlertAction.Trigger, $"cluster/{c.Condition}"),
        // What risks data or hides a failure reaches a person at once, not only the journal.
        EventTypes.MemberWritable => New(e, AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Trigger, $"writable/epoch-{e.Epoch}"),
        EventTypes.HookFailed when e is HookFailed h => New(e, AlertTopics.Safety, h.Severity == "critical" ? AlertSeverity.Critical : AlertSeverity.Error,
            AlertAction.Trigger, $"hook/{h.Trigger}/{h.Index}/epoch-{e.Epoch}"),
        EventTypes.StandbysRepointed when e is StandbysRepointed { Succeeded: false } =>
            New(e, AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Trigger, $"repoint/epoch-{e.Epoch}"),
        // An empty set is synchronous replication lost (cleared, or "any" when strict); a named standby ends it.
        EventTypes.SyncStandbysChanged when e is SyncStandbysChanged c => c.Standbys.IsEmpty
            ? New(e, AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Trigger, "sync")
            : New(e, AlertTopics.Safety, AlertSeverity.Info, AlertAction.Resolve, "sync"),
        EventTypes.SyncStandbysFailed => New(e, AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Trigger, "sync"),
        EventTypes.UnexpectedError => New(e, AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Trigger, "controller-error"),
        EventTypes.JournalUnavailable when e is JournalUnavailable j => New(e, AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Trigger, $"journal/{j.Instance}"),
        EventTypes.JournalRecovered when e is JournalRecovered j => New(e, AlertTopics.Safety, AlertSeverity.Info, AlertAction.Resolve, $"journal/{j.Instance}"),
        EventTypes.JournalReplaced => New(e, AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Info, "journal-replaced"),
        _ => null,
    };

    /// <summary>The event types whose notification is critical when they trigger: each has its own metric series and alert rule.</summary>
    public static readonly IReadOnlyList<string> SafetyKinds =
    [
        EventTypes.MemberWritable, EventTypes.HookFailed, EventTypes.StandbysRepointed, EventTypes.SyncStandbysChanged,
        EventTypes.SyncStandbysFailed, EventTypes.UnexpectedError, EventTypes.JournalUnavailable, EventTypes.JournalReplaced,
    ];

    /// <summary>
    /// Whether <paramref name="channel"/> sends <paramref name="n"/>: its <c>events</c> take the topic, and
    /// PagerDuty is paged only for what it can later resolve or someone must act on, not for news.
    /// </summary>
    public static bool Wants(AlertChannelSpec channel, Notification n) =>
        channel.Takes(n.Topic) && !(channel is PagerDutyChannelSpec && n.Action == AlertAction.Info);

    private static Notification? Drill(DrillCompleted e)
    {
        string verdict = e.Verdict, name = e.Name;
        // A pass ends the drill's open alert (a failure, or a regression before it); with none open the throttle drops it.
        if (verdict is not ("failed" or "aborted"))
            return New(e, AlertTopics.Drill, AlertSeverity.Info, AlertAction.Resolve, $"drill/{name}", $"drill.{verdict}");
        string summary = $"drill '{name}' {verdict}" + (e.Report is { Length: > 0 } report ? $" (report: {report})" : "");
        return New(e, AlertTopics.Drill, verdict == "failed" ? AlertSeverity.Error : AlertSeverity.Warning, AlertAction.Trigger,
            $"drill/{name}", $"drill.{verdict}", summary);
    }

    /// <summary>
    /// An operation-wide site event is journaled once per service it involves: the notification is the site's, keyed by the
    /// operation alone, so that its copies fold into one (the throttle drops a trigger already open).
    /// </summary>
    private static Notification Site(JournalEvent e, string operation, AlertSeverity severity, AlertAction action) =>
        new("", e.Type, AlertTopics.Request, severity, action, $"understudy/site/{operation}", e.Reason.Length > 0 ? e.Reason : e.Type, e);

    private static Notification New(JournalEvent e, AlertTopics topic, AlertSeverity severity, AlertAction action, string condition,
        string? kind = null, string? summary = null)
    {
        summary ??= e.Reason.Length > 0 ? e.Reason : e.Type;
        return new Notification(e.Service, kind ?? e.Type, topic, severity, action,
            string.Join('/', new[] { "understudy", e.Service, condition }.Where(p => p.Length > 0)),
            e.Service.Length > 0 ? $"{e.Service}: {summary}" : summary, e);
    }
}
