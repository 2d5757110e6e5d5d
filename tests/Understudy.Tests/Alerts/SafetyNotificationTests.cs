using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Alerts.AlertEvents;

namespace Understudy.Tests.Alerts;

/// <summary>Issue 13 item 14: what risks data or hides a failure reaches the channels as critical, not only the journal.</summary>
public class SafetyNotificationTests
{
    [Theory]
    [InlineData(EventTypes.MemberWritable, "understudy/web/writable/epoch-2")]
    [InlineData(EventTypes.StandbysRepointed, "understudy/web/repoint/epoch-2")]
    [InlineData(EventTypes.SyncStandbysChanged, "understudy/web/sync")]
    [InlineData(EventTypes.SyncStandbysFailed, "understudy/web/sync")]
    [InlineData(EventTypes.UnexpectedError, "understudy/web/controller-error")]
    public void For_SafetyCondition_CriticalTriggerOnTheSafetyTopic(string type, string key)
    {
        // Event() gives the defaults: no standbys named, re-pointing not succeeded.
        Notification n = NotificationRules.For(Event(type, "pg2", details: [("succeeded", false)]))!;

        Assert.Equal((AlertTopics.Safety, AlertSeverity.Critical, AlertAction.Trigger, key), (n.Topic, n.Severity, n.Action, n.DedupKey));
        Assert.Contains(type, NotificationRules.SafetyKinds);
    }

    [Fact]
    public void For_FailedFenceHook_CriticalAndALaterHookAnError()
    {
        var fence = new HookFailed { Service = "pg", Epoch = 3, Trigger = "fence", Index = 0, Command = "fence.sh", Severity = "critical", Reason = "exit 1" };
        var after = fence with { Trigger = "on_failover", Severity = "warning" };

        Assert.Equal((AlertSeverity.Critical, "understudy/pg/hook/fence/0/epoch-3"), (NotificationRules.For(fence)!.Severity, NotificationRules.For(fence)!.DedupKey));
        Assert.Equal(AlertSeverity.Error, NotificationRules.For(after)!.Severity);
    }

    [Fact]
    public void For_SyncStandbyNamedAgainOrStandbysRepointed_ResolvesOrIsQuiet()
    {
        var named = new SyncStandbysChanged(["pg2"]) { Service = "pg", Member = "pg1" };
        var repointed = new StandbysRepointed(["pg3"], Succeeded: true) { Service = "pg" };

        Assert.Equal((AlertAction.Resolve, "understudy/pg/sync"), (NotificationRules.For(named)!.Action, NotificationRules.For(named)!.DedupKey));
        Assert.Null(NotificationRules.For(repointed));
    }

    [Fact]
    public void For_JournalUnavailableThenRecovered_ShareTheInstancesKey()
    {
        Notification down = NotificationRules.For(new JournalUnavailable("the disk is full (SQLite error 13)", "ctl-1") { Reason = "ctl-1: the journal takes no writes" })!;
        Notification up = NotificationRules.For(new JournalRecovered("the disk is full (SQLite error 13)", T0, 12, "ctl-1") { Reason = "ctl-1: writes again" })!;

        Assert.Equal((AlertSeverity.Critical, AlertAction.Trigger), (down.Severity, down.Action));
        Assert.Equal(AlertAction.Resolve, up.Action);
        Assert.Equal(("understudy/journal/ctl-1", "understudy/journal/ctl-1"), (down.DedupKey, up.DedupKey));
    }

    [Fact]
    public void Wants_ChannelLimitedToDrills_DoesNotTakeSafety()
    {
        var drillsOnly = new WebhookChannelSpec("alerts[0].webhook", AlertTopics.Drill, TimeSpan.Zero, new Uri("http://127.0.0.1:1/x"));
        var every = drillsOnly with { Topics = AlertTopics.All };
        Notification n = NotificationRules.For(new UnexpectedError("x") { Service = "web" })!;

        Assert.False(NotificationRules.Wants(drillsOnly, n));
        Assert.True(NotificationRules.Wants(every, n));
    }
}
