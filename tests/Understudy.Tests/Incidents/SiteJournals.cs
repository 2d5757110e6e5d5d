using Understudy.Core.Journal;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Incidents;

/// <summary>
/// Journals of site failovers of east (db, then api, then web; each -a east, -b west) written by hand as the controller
/// writes them, times in milliseconds after T0: alice asks for s-1, bob approves it a minute later.
/// </summary>
internal static class SiteJournals
{
    public const string Op = "s-1";

    private static T At<T>(T e, int ms, string service, string? member = null, long epoch = 1, string actor = "alice", string reason = "") where T : JournalEvent =>
        e with { Time = T0.AddMilliseconds(ms), Service = service, Member = member, Epoch = epoch, Actor = actor, Reason = reason.Length > 0 ? reason : $"{e.Type} of {service}" };

    /// <summary>A record this version does not know (a newer site.* type), as the journal would hand it back.</summary>
    public static JournalEvent Unknown(int ms, string service, string type, string actor, params (string Key, object? Value)[] details) =>
        Journaled.Make(T0.AddMilliseconds(ms), service, null, 1, type, actor,
            details.Append(("reason", $"{actor}: {type} of {Op}")).Select(d => new KeyValuePair<string, object?>(d.Key, d.Value)));

    private static IEnumerable<JournalEvent> Requested(string op, int ms, params string[] services) =>
        services.Select(s => At(new SiteRequested(op, "east", "alice", 1), ms, s, $"{s}-b", reason: $"alice asked to fail site east over ({op})"));

    /// <summary>One service's switchover by request <paramref name="id"/>, from <paramref name="from"/> at <paramref name="ms"/>: switched after 250 ms, done after 260.</summary>
    public static IEnumerable<JournalEvent> Switchover(string service, string id, string from, string to, int ms, long epoch, string why)
    {
        yield return At(new RequestCreated(id, RequestKind.Switchover, from, to, why, "alice", 1, T0.AddHours(1)), ms, service, to, epoch);
        yield return At(new RequestApproved(id, "bob", $"approved site failover {Op} of east, which includes this switchover", 1, 1), ms + 1, service, to, epoch, "bob");
        yield return At(new SwitchoverStarted(from, to, id), ms + 2, service, to, epoch);
        yield return At(new MemberFenced(), ms + 150, service, from, epoch + 1);
        yield return At(new TrafficSwitched(), ms + 252, service, to, epoch + 1);
        yield return At(new SwitchoverCompleted(from, to, 260, id), ms + 262, service, to, epoch + 1);
        yield return At(new RequestCompleted(id, to), ms + 262, service, to, epoch + 1);
    }

    private static IEnumerable<JournalEvent> Move(string service, string id, int ms) =>
    [
        At(new SiteStarted(Op, "east", id, "switchover", $"{service}-a", $"{service}-b"), ms, service, $"{service}-b"),
        .. Switchover(service, id, $"{service}-a", $"{service}-b", ms + 1, 1, $"site failover {Op} of east: region drill"),
        At(new SiteServiceMoved(Op, "east", id, $"{service}-a", $"{service}-b"), ms + 400, service, $"{service}-b", 2),
    ];

    /// <summary>Before s-1: an earlier operation, an unrelated request of db, and events of other services while s-1 runs.</summary>
    private static IEnumerable<JournalEvent> Noise() =>
    [
        .. Requested("s-0", -300_000, "db"),
        At(new SiteRejected("s-0", "east", "bob", "not now"), -290_000, "db", actor: "bob"),
        .. Switchover("db", "r-old", "db-a", "db-b", -200_000, 0, "disk check"),
        At(new MemberUp(), 60_100, "cache", "cache-a", reason: "cache-a passed 2 checks in a row"),
    ];

    public static List<JournalEvent> Completed() => Sorted(
    [
        .. Noise(),
        .. Requested(Op, 0, "db", "api"),
        Unknown(60_000, "db", "site.approved", "bob", ("operation", Op), ("site", "east")),
        .. Move("db", "r-db", 60_001),
        .. Move("api", "r-api", 61_000),
        .. new[] { "db", "api" }.Select(s => At(new SiteCompleted(Op, "east"), 61_500, s, reason: $"site failover {Op} of east completed")),
    ]);

    /// <summary>db and api moved; web's veto hook refused; api, then db, switched back.</summary>
    public static List<JournalEvent> RolledBack() => Sorted(
    [
        .. Requested(Op, 0, "db", "api", "web"),
        .. Move("db", "r-db", 60_001),
        .. Move("api", "r-api", 61_000),
        At(new SiteStarted(Op, "east", "r-web", "switchover", "web-a", "web-b"), 62_000, "web", "web-b"),
        At(new RequestCreated("r-web", RequestKind.Switchover, "web-a", "web-b", $"site failover {Op} of east: region drill", "alice", 1, T0.AddHours(1)), 62_001, "web", "web-b"),
        At(new ChangeVetoed(RequestKind.Switchover, "web-a", "web-b", "change freeze on web", "r-web"), 62_050, "web", "web-b"),
        At(new RequestFailed("r-web", "web-b"), 62_050, "web", "web-b", reason: "request r-web: vetoed: change freeze on web"),
        At(new SiteFailed(Op, "east"), 62_100, "web", reason: $"site failover {Op} of east stopped at web: vetoed: change freeze on web; rolling back api, db"),
        .. Switchover("api", "r-api-back", "api-b", "api-a", 62_200, 2, $"rollback of site failover {Op} of east (stopped at web)"),
        At(new SiteRolledBack(Op, "east", "api-a", true), 62_600, "api", "api-a", 3, reason: $"site failover {Op} of east rolled api back to api-a (request r-api-back)"),
        .. Switchover("db", "r-db-back", "db-b", "db-a", 62_700, 2, $"rollback of site failover {Op} of east (stopped at web)"),
        At(new SiteRolledBack(Op, "east", "db-a", true), 63_100, "db", "db-a", 3, reason: $"site failover {Op} of east rolled db back to db-a (request r-db-back)"),
    ]);

    public static List<JournalEvent> Rejected() => Sorted(
    [
        .. Requested(Op, 0, "db", "api"),
        .. new[] { "db", "api" }.Select(s => At(new SiteRejected(Op, "east", "bob", "not tonight"), 30_000, s, actor: "bob", reason: $"bob rejected site failover {Op} of east: not tonight; nothing moved")),
    ]);

    /// <summary>Approved; db is in the middle of its switchover.</summary>
    public static List<JournalEvent> UnderWay() => Sorted(
    [
        .. Requested(Op, 0, "db", "api"),
        At(new SiteStarted(Op, "east", "r-db", "switchover", "db-a", "db-b"), 60_001, "db", "db-b"),
        .. Switchover("db", "r-db", "db-a", "db-b", 60_002, 1, $"site failover {Op} of east: region drill").Take(3),
    ]);

    /// <summary>In the order of their time, as the journal wrote them (a stable sort keeps same-instant events in order).</summary>
    private static List<JournalEvent> Sorted(IEnumerable<JournalEvent> events) => [.. events.OrderBy(e => e.Time)];
}
