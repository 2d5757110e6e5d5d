using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>A write of synchronous_standby_names ended well at <paramref name="At"/>. Observed, never journaled.</summary>
public sealed record SyncWritten(DateTimeOffset At) : Observation;

/// <summary>
/// The primary, checked once the setting was in force, reported <paramref name="Standby"/> synchronous while at
/// <paramref name="Lsn"/>; that check ended at <paramref name="At"/>. Observed, never journaled.
/// </summary>
public sealed record SyncMarked(string Standby, long Lsn, DateTimeOffset At) : Observation;

/// <summary>
/// PostgreSQL synchronous mode. synchronous_standby_names names exactly one standby, <c>FIRST 1 ("pgN")</c>, so the
/// primary cannot move the synchronous role between checks; it changes only when that standby stops streaming. With
/// none left it is cleared so writes go on (non-strict, as Patroni's synchronous_mode) or names any standby so commits
/// wait (strict). Which standby may be promoted automatically is stricter than "the one named": only one that holds
/// every acknowledged commit, proven by <see cref="WatchCatchUp"/> (<see cref="ServiceState.SyncConfirmed"/>). After
/// the setting was cleared, or named another standby, none is until then — a commit acknowledged while no standby was
/// synchronous is on the primary alone, and a flapping primary must not be failed over to a standby that lacks it.
/// </summary>
internal static class SynchronousRules
{
    /// <summary>
    /// pg_reload_conf() returns before every process has read the new setting (the checkpointer decides whether commits
    /// wait for a standby): a check must begin this long after the write for what it reports to count as in force.
    /// </summary>
    internal static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>Names the standby to keep synchronous, after every input while the primary is up and nothing changes hands.</summary>
    public static void ManageSynchronousStandbys(DecisionBuilder d)
    {
        ServiceState s = d.State;
        if (!s.IsPostgres || !s.Spec.Failover.Synchronous || !s.RolesConfirmed || s.Failover is not null || s.Routable is null) return;
        if (s.PrimaryMember.Health != Health.Up || s.SyncRetryAfter > d.Now) return;
        ImmutableArray<string> wanted = DesiredSyncStandby(s);
        if (s.SyncStandbys is { } current && current.SequenceEqual(wanted)) return;
        SetSync(d, s.Primary, wanted);
    }

    /// <summary>
    /// After a check: the named standby becomes the one that may be promoted once the primary, checked at least
    /// <see cref="Settle"/> after the setting was written, reports it synchronous — its WAL position then is the mark —
    /// and the standby's own check, begun after that, shows it received up to the mark on the primary's timeline (an
    /// older view may be of another timeline). Every commit acknowledged before the setting was in force is below the
    /// mark; every one after waited for that standby.
    /// </summary>
    public static void WatchCatchUp(DecisionBuilder d, CheckResult check)
    {
        ServiceState s = d.State;
        if (!s.IsPostgres || !s.Spec.Failover.Synchronous || s.Failover is not null || !check.Ok) return;
        if (s.SyncStandbys is not [var named] || s.SyncConfirmed == named) return;
        DateTimeOffset began = check.At - check.Duration;
        if (check.Member == s.Primary)
        {
            if (s.SyncMark?.Standby != named && s.SyncWrittenAt is { } written && began >= written + Settle
                && s.PrimaryMember.Replication is { InRecovery: false, CurrentLsn: { } lsn } view && view.SyncStandbys.Contains(named))
                d.Observe(new SyncMarked(named, lsn, check.At));
            return;
        }
        if (check.Member != named || s.SyncMark is not { } mark || mark.Standby != named || began < mark.At || !s.StreamsFromPrimary(named)) return;
        if (s.Members[named].Replication is not { InRecovery: true, ReceiveLsn: { } received } standby || received < mark.Lsn) return;
        if (standby.Timeline is { } timeline && s.PrimaryMember.Replication?.Timeline is { } primaryTimeline && timeline != primaryTimeline) return;
        d.Emit(new SyncStandbyCaughtUp(named, mark.Lsn)
        {
            Member = named,
            Reason = $"{named} is the synchronous standby of {s.Primary} and has received its WAL up to {ReplicationView.Lsn(mark.Lsn)}, where {s.Primary} " +
                     "was once the setting was in force: it holds every acknowledged commit, so it alone may be promoted automatically",
        });
    }

    /// <summary>
    /// The standby to name: the one named now while it still streams, else the one proven caught up (after a restart
    /// nothing is named, and renaming would drop its proof), else the least lagging streaming one.
    /// The primary's own list decides who streams (and so who would acknowledge); among those, one our checks
    /// see up is preferred, but one they cannot reach right now is still better than no synchronous copy.
    /// </summary>
    private static ImmutableArray<string> DesiredSyncStandby(ServiceState s)
    {
        bool Streams(MemberState m) => m.Name != s.Primary && !m.NeedsRejoin && m.Replication?.InRecovery != false && s.StreamsFromPrimary(m.Name);
        bool Up(MemberState m) => m.Health == Health.Up && m.Replication is not null;
        if (s.SyncStandbys is [var named] && Streams(s.Members[named])) return [named];
        if (s.SyncStandbys is null && s.SyncConfirmed is { } proven && Streams(s.Members[proven])) return [proven];
        return s.Spec.Members.Select(m => s.Members[m.Name]).Where(Streams)
            .OrderByDescending(Up).ThenBy(m => s.LagOf(m.Name) ?? long.MaxValue)
            .ThenByDescending(m => s.Spec.Member(m.Name).Priority).ThenBy(m => s.Spec.ConfigOrder(m.Name))
            .Take(1).Select(m => m.Name).ToImmutableArray();
    }

    private static void SetSync(DecisionBuilder d, string primary, ImmutableArray<string> standbys)
    {
        bool strict = d.State.Spec.Failover.SynchronousStrict;
        if (standbys.IsEmpty)
        {
            string why = strict
                ? $"no standby streams from {primary}: synchronous_standby_names names any standby, so writes wait until one is back (synchronous_strict)"
                : $"no standby streams from {primary}: synchronous_standby_names cleared, so writes go on without a synchronous copy and no standby is " +
                  "promoted automatically until one is synchronous again and has caught up";
            d.Emit(new SyncStandbysChanged(standbys) { Member = primary, Reason = why });
            d.Alert("critical", $"{d.State.Name}: {why}", primary);
        }
        else
        {
            d.Emit(new SyncStandbysChanged(standbys) { Member = primary, Reason = $"synchronous_standby_names on {primary} names {standbys[0]}" });
        }
        d.Do(new SetSynchronousStandbys(primary, standbys, strict, d.State.Epoch) { Change = d.State.SyncChanges });
    }

    /// <summary>
    /// A write of synchronous_standby_names ended. Done, and the latest one decided (an earlier one of the same list may
    /// end after a later one was decided), checks from
    /// <see cref="Settle"/> on may prove its standby caught up; failed, it is retried after a pause (the set becomes unknown, so it is set again).
    /// </summary>
    public static void SyncStepDone(DecisionBuilder d, SetSynchronousStandbys sync, StepCompleted done)
    {
        if (done.Succeeded)
        {
            if (sync.Change == d.State.SyncChanges && sync.Primary == d.State.Primary && sync.Epoch == d.State.Epoch)
                d.Observe(new SyncWritten(d.Now));
            return;
        }
        string key = $"sync-failed:{sync.Primary}:{d.State.Epoch}";
        string reason = $"setting synchronous_standby_names on {sync.Primary} failed ({done.Detail}); retrying every {ReplicationRules.SyncRetry.TotalSeconds:0} s";
        d.Emit(new SyncStandbysFailed(d.Now + ReplicationRules.SyncRetry) { Member = sync.Primary, Reason = reason });
        if (!d.State.Raised.Contains(key)) d.Alert("critical", $"{d.State.Name}: {reason}", sync.Primary, key);
    }

    /// <summary>
    /// The executor promoted with synchronous_standby_names reset (cleared, or any standby when strict):
    /// whatever the server inherited must not block or mislead. Until a standby streams from it, writes are
    /// unprotected (or wait), and an alert says so.
    /// </summary>
    public static void SyncAfterPromotion(DecisionBuilder d, string primary)
    {
        if (!d.State.IsPostgres || !d.State.Spec.Failover.Synchronous) return;
        bool strict = d.State.Spec.Failover.SynchronousStrict;
        string why = strict
            ? $"{primary} was promoted with synchronous_standby_names naming any standby: writes wait until one streams from it"
            : $"{primary} was promoted with synchronous_standby_names cleared: writes are acknowledged without a synchronous copy until a standby streams from it";
        d.Emit(new SyncStandbysChanged([]) { Member = primary, Reason = why });
        d.Alert(strict ? "critical" : "warning", $"{d.State.Name}: {why}", primary);
    }
}
