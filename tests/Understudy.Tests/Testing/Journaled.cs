using System.Collections;
using System.Globalization;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Tests.Testing;

/// <summary>Events read by their stored field names ("from", "request"), as the journal and the API's details hold them: tests pin the stored shape too.</summary>
public static class Journaled
{
    extension(JournalEvent e)
    {
        public IReadOnlyDictionary<string, object?> Details => EventJson.Details(e);

        public string? Detail(string key) => EventJson.Details(e).GetValueOrDefault(key) switch
        {
            null => null,
            string text => text,
            IEnumerable list => string.Join(",", list.Cast<object?>()),
            var value => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>An event written by hand as the journal stores it: its type, common fields and details (the reason among them).</summary>
    public static JournalEvent Make(DateTimeOffset time, string service, string? member, long epoch, string type, string actor,
        IEnumerable<KeyValuePair<string, object?>> details) =>
        EventJson.FromParts(0, time, service, member, epoch, type, actor, details);

    /// <summary>
    /// Every part of a service's state that the journal carries, as text (so a failure shows the difference):
    /// all of it except what checks observe of members (health, suspicion, server answers), which is re-learned.
    /// </summary>
    public static string Durable(ServiceState s)
    {
        static string Join(IEnumerable<string>? names) => names is null ? "unknown" : string.Join(",", names);
        string request = s.Request is { } r ? $"{r with { ApprovedBy = [] }} approved by [{Join(r.ApprovedBy)}]" : "none";
        return string.Join("\n", [
            $"epoch={s.Epoch} primary={s.Primary} routable={s.Routable ?? "none"}",
            $"failover={s.Failover?.ToString() ?? "none"} last_failover_at={s.LastFailoverAt:O}",
            $"hold={s.HoldReason ?? "none"} degraded={s.Degraded} roles_confirmed={s.RolesConfirmed} primary_known={s.PrimaryKnown}",
            $"sync={Join(s.SyncStandbys)} sync_confirmed={s.SyncConfirmed ?? "none"} sync_retry_after={s.SyncRetryAfter:O} demote_retry_after={s.DemoteRetryAfter:O}",
            $"request={request} pause={s.Pause?.ToString() ?? "none"}",
            $"raised={Join(s.Raised.Order())} needs_rejoin={Join(s.Members.Values.Where(m => m.NeedsRejoin).Select(m => m.Name).Order())}",
            $"running_hooks=[{string.Join("; ", s.RunningHooks)}]",
            $"veto={s.PendingVeto?.ToString() ?? "none"} veto_retry_at={s.VetoRetryAt:O}",
        ]);
    }

    /// <summary>A snapshot of <paramref name="s"/> folded over the configured start, as a new instance would: it must give <paramref name="s"/> back.</summary>
    public static ServiceState ThroughSnapshot(ServiceState s) =>
        ServiceFold.Evolve(ServiceState.Initial(s.Spec), Snapshots.Of(s) with { Epoch = s.Epoch, Service = s.Name });

    /// <summary>The state folded from the newest snapshot in <paramref name="journal"/> on (all of it when there is none): what a log trimmed to it rebuilds.</summary>
    public static ServiceState FromNewestSnapshot(Core.Topology.ServiceSpec spec, IReadOnlyList<JournalEvent> journal)
    {
        int from = Math.Max(0, journal.ToList().FindLastIndex(e => e is ServiceSnapshot));
        ServiceState state = ServiceFold.Rebuild(spec, journal.Skip(from), out string? error);
        Assert.Null(error);
        return state;
    }

    /// <summary>A single controller's start with its state folded from the journal.</summary>
    public static StateRebuilt Restarted => new("test", 1);
}
