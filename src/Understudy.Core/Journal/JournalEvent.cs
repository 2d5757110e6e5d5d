using System.Text.Json.Serialization;

namespace Understudy.Core.Journal;

/// <summary>
/// One append-only journal record: a typed, past-tense fact. The decider returns them and
/// <see cref="Failover.ServiceFold.Evolve"/> folds them into the state; the journal stores each as one JSON
/// object (docs/journal.md) whose <c>type</c> names the record and whose <c>v</c> is <see cref="SchemaVersion"/>.
/// The fields every event has live here; each record adds its own.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ControllerStarted), EventTypes.ControllerStarted)]
[JsonDerivedType(typeof(ControllerStopped), EventTypes.ControllerStopped)]
[JsonDerivedType(typeof(ControllerStalled), EventTypes.ControllerStalled)]
[JsonDerivedType(typeof(ConfigReloaded), EventTypes.ConfigReloaded)]
[JsonDerivedType(typeof(ConfigReloadRefused), EventTypes.ConfigReloadRefused)]
[JsonDerivedType(typeof(LeaderElected), EventTypes.LeaderElected)]
[JsonDerivedType(typeof(ClusterAlert), EventTypes.ClusterAlert)]
[JsonDerivedType(typeof(ServiceSnapshot), EventTypes.Snapshot)]
[JsonDerivedType(typeof(UnexpectedError), EventTypes.UnexpectedError)]
[JsonDerivedType(typeof(JournalUnavailable), EventTypes.JournalUnavailable)]
[JsonDerivedType(typeof(JournalRecovered), EventTypes.JournalRecovered)]
[JsonDerivedType(typeof(JournalReplaced), EventTypes.JournalReplaced)]
[JsonDerivedType(typeof(MemberUp), EventTypes.MemberUp)]
[JsonDerivedType(typeof(MemberDown), EventTypes.MemberDown)]
[JsonDerivedType(typeof(MemberSuspected), EventTypes.MemberSuspected)]
[JsonDerivedType(typeof(MemberFenced), EventTypes.MemberFenced)]
[JsonDerivedType(typeof(FailoverStarted), EventTypes.FailoverStarted)]
[JsonDerivedType(typeof(FailoverResumed), EventTypes.FailoverResumed)]
[JsonDerivedType(typeof(FailoverHeld), EventTypes.FailoverHeld)]
[JsonDerivedType(typeof(FailoverCompleted), EventTypes.FailoverCompleted)]
[JsonDerivedType(typeof(FailoverFailed), EventTypes.FailoverFailed)]
[JsonDerivedType(typeof(FailoverBlocked), EventTypes.FailoverBlocked)]
[JsonDerivedType(typeof(FailoverForced), EventTypes.FailoverForced)]
[JsonDerivedType(typeof(TrafficSwitched), EventTypes.TrafficSwitched)]
[JsonDerivedType(typeof(VetoAsked), EventTypes.VetoAsked)]
[JsonDerivedType(typeof(ChangeAllowed), EventTypes.ChangeAllowed)]
[JsonDerivedType(typeof(ChangeVetoed), EventTypes.ChangeVetoed)]
[JsonDerivedType(typeof(TrafficSwitching), EventTypes.TrafficSwitching)]
[JsonDerivedType(typeof(TrafficSwitchFailed), EventTypes.TrafficSwitchFailed)]
[JsonDerivedType(typeof(TrafficReconciled), EventTypes.TrafficReconciled)]
[JsonDerivedType(typeof(HookCompleted), EventTypes.HookCompleted)]
[JsonDerivedType(typeof(HookFailed), EventTypes.HookFailed)]
[JsonDerivedType(typeof(HookStarted), EventTypes.HookStarted)]
[JsonDerivedType(typeof(HookEnded), EventTypes.HookEnded)]
[JsonDerivedType(typeof(ServiceDegraded), EventTypes.ServiceDegraded)]
[JsonDerivedType(typeof(ServiceRestored), EventTypes.ServiceRestored)]
[JsonDerivedType(typeof(AlertRaised), EventTypes.AlertRaised)]
[JsonDerivedType(typeof(MemberPromoted), EventTypes.MemberPromoted)]
[JsonDerivedType(typeof(MemberRejoined), EventTypes.MemberRejoined)]
[JsonDerivedType(typeof(RejoinStarted), EventTypes.RejoinStarted)]
[JsonDerivedType(typeof(RejoinFailed), EventTypes.RejoinFailed)]
[JsonDerivedType(typeof(MemberRole), EventTypes.MemberRole)]
[JsonDerivedType(typeof(MemberWritable), EventTypes.MemberWritable)]
[JsonDerivedType(typeof(MemberDemoted), EventTypes.MemberDemoted)]
[JsonDerivedType(typeof(MemberUnreachableFrom), EventTypes.MemberUnreachableFrom)]
[JsonDerivedType(typeof(StandbysRepointed), EventTypes.StandbysRepointed)]
[JsonDerivedType(typeof(SyncStandbysChanged), EventTypes.SyncStandbysChanged)]
[JsonDerivedType(typeof(SyncStandbysFailed), EventTypes.SyncStandbysFailed)]
[JsonDerivedType(typeof(SyncStandbyCaughtUp), EventTypes.SyncStandbyCaughtUp)]
[JsonDerivedType(typeof(ConfigMismatch), EventTypes.ConfigMismatch)]
[JsonDerivedType(typeof(FaultInjected), EventTypes.FaultInjected)]
[JsonDerivedType(typeof(FaultCleared), EventTypes.FaultCleared)]
[JsonDerivedType(typeof(RequestCreated), EventTypes.RequestCreated)]
[JsonDerivedType(typeof(RequestRefused), EventTypes.RequestRefused)]
[JsonDerivedType(typeof(RequestApproved), EventTypes.RequestApproved)]
[JsonDerivedType(typeof(RequestScheduled), EventTypes.RequestScheduled)]
[JsonDerivedType(typeof(RequestRejected), EventTypes.RequestRejected)]
[JsonDerivedType(typeof(RequestExpired), EventTypes.RequestExpired)]
[JsonDerivedType(typeof(RequestExecuting), EventTypes.RequestExecuting)]
[JsonDerivedType(typeof(RequestCompleted), EventTypes.RequestCompleted)]
[JsonDerivedType(typeof(RequestFailed), EventTypes.RequestFailed)]
[JsonDerivedType(typeof(SwitchoverStarted), EventTypes.SwitchoverStarted)]
[JsonDerivedType(typeof(SwitchoverCompleted), EventTypes.SwitchoverCompleted)]
[JsonDerivedType(typeof(SwitchoverFailed), EventTypes.SwitchoverFailed)]
[JsonDerivedType(typeof(SwitchoverStopping), EventTypes.SwitchoverStopping)]
[JsonDerivedType(typeof(SwitchoverGivingBack), EventTypes.SwitchoverGivingBack)]
[JsonDerivedType(typeof(MemberStopped), EventTypes.MemberStopped)]
[JsonDerivedType(typeof(MemberFollowing), EventTypes.MemberFollowing)]
[JsonDerivedType(typeof(ServicePaused), EventTypes.ServicePaused)]
[JsonDerivedType(typeof(ServiceResumed), EventTypes.ServiceResumed)]
[JsonDerivedType(typeof(DrillCompleted), EventTypes.DrillCompleted)]
[JsonDerivedType(typeof(DrillRegressed), EventTypes.DrillRegressed)]
[JsonDerivedType(typeof(DrillRequested), EventTypes.DrillRequested)]
[JsonDerivedType(typeof(DrillApproved), EventTypes.DrillApproved)]
[JsonDerivedType(typeof(DrillApprovalUsed), EventTypes.DrillApprovalUsed)]
[JsonDerivedType(typeof(DrillStarted), EventTypes.DrillStarted)]
[JsonDerivedType(typeof(DrillSkipped), EventTypes.DrillSkipped)]
[JsonDerivedType(typeof(DeployRolledBack), EventTypes.DeployRolledBack)]
[JsonDerivedType(typeof(AlertDelivered), EventTypes.AlertDelivered)]
[JsonDerivedType(typeof(AlertDeliveryFailed), EventTypes.AlertDeliveryFailed)]
[JsonDerivedType(typeof(ApiAuthFailed), EventTypes.ApiAuthFailed)]
[JsonDerivedType(typeof(SiteRequested), EventTypes.SiteRequested)]
[JsonDerivedType(typeof(SiteApproved), EventTypes.SiteApproved)]
[JsonDerivedType(typeof(SiteRejected), EventTypes.SiteRejected)]
[JsonDerivedType(typeof(SiteExpired), EventTypes.SiteExpired)]
[JsonDerivedType(typeof(SiteResumed), EventTypes.SiteResumed)]
[JsonDerivedType(typeof(SiteStarted), EventTypes.SiteStarted)]
[JsonDerivedType(typeof(SiteServiceMoved), EventTypes.SiteServiceMoved)]
[JsonDerivedType(typeof(SiteFailed), EventTypes.SiteFailed)]
[JsonDerivedType(typeof(SiteRolledBack), EventTypes.SiteRolledBack)]
[JsonDerivedType(typeof(SiteCompleted), EventTypes.SiteCompleted)]
public abstract record JournalEvent : Fact
{
    /// <summary>The shape of the records below; stored with every event. A reader that meets a newer one stops leading.</summary>
    public const int SchemaVersion = 1;

    public DateTimeOffset Time { get; init; }

    /// <summary>The service the event is about; empty for a controller-wide one (a drill of no service).</summary>
    public string Service { get; init; } = "";

    public string? Member { get; init; }

    /// <summary>The epoch the event belongs to; an event that starts an epoch carries the new one.</summary>
    public long Epoch { get; init; }

    public string Actor { get; init; } = Actors.Controller;

    /// <summary>The decision's one sentence: what happened and why.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Position in the journal; 0 until it is stored. Not part of the stored shape.</summary>
    [JsonIgnore]
    public long Id { get; init; }

    /// <summary>The stable name of the record (<c>failover.started</c>), read by the API, reports and drills.</summary>
    [JsonIgnore]
    public virtual string Type => EventCatalog.NameOf(GetType());
}

/// <summary>Anything <see cref="Failover.ServiceFold.Evolve"/> folds into a service's state: a journaled event, or an observation that is not journaled.</summary>
public abstract record Fact;

/// <summary>
/// Marks an event that records something without changing the decider's state (a fault injected, a drill's
/// verdict, an alert delivered): endpoints and the notifier hand these in as they are.
/// </summary>
public interface IInformational;

/// <summary>Who caused an event.</summary>
public static class Actors
{
    public const string Controller = "controller";

    /// <summary>A drill acting through the API (fault injection); never counted as a manual step.</summary>
    public const string Drill = "drill";

    /// <summary>A person, through the CLI or API, when the API asks for no token; otherwise the token's name is the actor.</summary>
    public const string Operator = "operator";
}
