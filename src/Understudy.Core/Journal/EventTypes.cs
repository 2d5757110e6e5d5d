namespace Understudy.Core.Journal;

/// <summary>The stable names of the typed events (their <c>type</c> in the journal and the API).</summary>
public static class EventTypes
{
    public const string ControllerStarted = "controller.started";
    public const string ControllerStopped = "controller.stopped";
    public const string ControllerStalled = "controller.stalled";
    public const string ConfigReloaded = "config.reloaded";
    public const string ConfigReloadRefused = "config.reload_refused";
    public const string LeaderElected = "leader.elected";
    public const string ClusterAlert = "cluster.alert";
    public const string Snapshot = "snapshot";
    public const string UnexpectedError = "controller.error";
    public const string JournalUnavailable = "journal.unavailable";
    public const string JournalRecovered = "journal.recovered";
    public const string JournalReplaced = "journal.replaced";
    public const string MemberUp = "member.up";
    public const string MemberDown = "member.down";
    public const string MemberSuspected = "member.suspected";
    public const string MemberFenced = "member.fenced";
    public const string FailoverStarted = "failover.started";
    public const string FailoverResumed = "failover.resumed";
    public const string FailoverHeld = "failover.held";
    public const string FailoverCompleted = "failover.completed";
    public const string FailoverFailed = "failover.failed";
    public const string FailoverBlocked = "failover.blocked";
    public const string FailoverForced = "failover.forced";
    public const string TrafficSwitched = "traffic.switched";
    public const string VetoAsked = "veto.asked";
    public const string ChangeAllowed = "change.allowed";
    public const string ChangeVetoed = "change.vetoed";
    public const string TrafficSwitching = "traffic.switching";
    public const string TrafficSwitchFailed = "traffic.switch_failed";
    public const string TrafficReconciled = "traffic.reconciled";
    public const string HookCompleted = "hook.completed";
    public const string HookFailed = "hook.failed";
    public const string HookStarted = "hook.started";
    public const string HookEnded = "hook.ended";
    public const string ServiceDegraded = "service.degraded";
    public const string ServiceRestored = "service.restored";
    public const string AlertRaised = "alert.raised";
    public const string MemberPromoted = "member.promoted";
    public const string MemberRejoined = "member.rejoined";
    public const string RejoinStarted = "rejoin.started";
    public const string RejoinFailed = "rejoin.failed";
    public const string MemberRole = "member.role";
    public const string MemberWritable = "member.writable";
    public const string MemberDemoted = "member.demoted";
    public const string MemberUnreachableFrom = "member.unreachable_from";
    public const string StandbysRepointed = "standbys.repointed";
    public const string SyncStandbysChanged = "sync.changed";
    public const string SyncStandbysFailed = "sync.failed";
    public const string SyncStandbyCaughtUp = "sync.caught_up";
    public const string ConfigMismatch = "config.mismatch";
    public const string FaultInjected = "fault.injected";
    public const string FaultCleared = "fault.cleared";
    public const string RequestCreated = "request.created";
    public const string RequestRefused = "request.refused";
    public const string RequestApproved = "request.approved";
    public const string RequestScheduled = "request.scheduled";
    public const string RequestRejected = "request.rejected";
    public const string RequestExpired = "request.expired";
    public const string RequestExecuting = "request.executing";
    public const string RequestCompleted = "request.completed";
    public const string RequestFailed = "request.failed";
    public const string SwitchoverStarted = "switchover.started";
    public const string SwitchoverCompleted = "switchover.completed";
    public const string SwitchoverFailed = "switchover.failed";
    public const string SwitchoverStopping = "switchover.stopping";
    public const string SwitchoverGivingBack = "switchover.giving_back";
    public const string MemberStopped = "member.stopped";
    public const string MemberFollowing = "member.following";
    public const string ServicePaused = "service.paused";
    public const string ServiceResumed = "service.resumed";

    /// <summary>A drill reported its verdict to the controller.</summary>
    public const string DrillCompleted = "drill.completed";
    public const string DrillRegressed = "drill.regressed";

    /// <summary>A production drill's two-person approval: asked for, approved, used by the run it allowed.</summary>
    public const string DrillRequested = "drill.requested";
    public const string DrillApproved = "drill.approved";
    public const string DrillApprovalUsed = "drill.approval_used";
    /// <summary>A drill began (a scheduled run, or <c>drill run</c> that took the drill lock), or did not and why.</summary>
    public const string DrillStarted = "drill.started";
    public const string DrillSkipped = "drill.skipped";

    /// <summary>A deploy watch saw its health gate breached and ran the rollback command.</summary>
    public const string DeployRolledBack = "deploy.rolled_back";

    /// <summary>A notification reached its channel.</summary>
    public const string AlertDelivered = "alert.delivered";

    /// <summary>A notification could not be delivered after its retries.</summary>
    public const string AlertDeliveryFailed = "alert.delivery_failed";

    /// <summary>A site failover (sites.X): asked, approved, rejected or expired, started on a service, a service moved, resumed by another controller, stopped, a service moved back, done.</summary>
    public const string SiteRequested = "site.requested";
    public const string SiteApproved = "site.approved";
    public const string SiteRejected = "site.rejected";
    public const string SiteExpired = "site.expired";
    public const string SiteResumed = "site.resumed";
    public const string SiteStarted = "site.started";
    public const string SiteServiceMoved = "site.service_moved";
    public const string SiteFailed = "site.failed";
    public const string SiteRolledBack = "site.rolled_back";
    public const string SiteCompleted = "site.completed";

    /// <summary>Failed sign-ins to the API over one window, counted together.</summary>
    public const string ApiAuthFailed = "api.auth_failed";
}
