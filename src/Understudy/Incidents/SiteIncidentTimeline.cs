using System.Text.Json;
using System.Text.RegularExpressions;
using Understudy.Core.Journal;

namespace Understudy.Incidents;

/// <summary>
/// Picks one site failover out of the journal of every service. Pure: events in, incident out. Its events are the
/// site.* ones carrying its id (also types this version does not know, by their stored <c>operation</c>), and on each
/// involved service every event from the creation of a request the operation started (site.started, or a rollback's
/// request.created that names the operation) to that request's end.
/// </summary>
public static class SiteIncidentTimeline
{
    public const string SitePrefix = "site.";

    // Journaled by newer versions; known here by name only, so that an expired operation ends.
    private const string SiteApproved = "site.approved", SiteExpired = "site.expired";

    /// <param name="events">The journal's events of every service, in the order they were written.</param>
    public static SiteIncident? Find(string operation, IReadOnlyList<JournalEvent> events)
    {
        var own = events.Where(e => OperationOf(e) == operation).ToList();
        if (own.Count == 0) return null;
        var picked = new HashSet<JournalEvent>(own, ReferenceEqualityComparer.Instance);
        var requests = RequestsOf(operation, own, events);
        foreach (var (service, request) in requests) picked.UnionWith(RequestWindow(events, service, request));

        var services = own.Select(e => e.Service).Distinct().Select((s, i) => Service(s, i + 1, own, events, requests)).ToList();
        JournalEvent requested = own.FirstOrDefault(e => e is SiteRequested) ?? own[0];
        var (outcome, ended) = Outcome(own, services);
        var approvers = own.Where(e => e.Type == SiteApproved).Select(e => e.Actor)
            .Concat(events.OfType<RequestApproved>().Where(a => Mentions(a.Comment, operation)).Select(a => a.ApprovedBy))
            .Distinct().ToList();
        return new SiteIncident(operation, (own[0] as ISiteEvent)?.Site ?? Field(own[0], "site") ?? "?", outcome,
            (requested as SiteRequested)?.RequestedBy ?? requested.Actor, (requested as SiteRequested)?.ApprovalsNeeded ?? 0, approvers,
            requested, ended, Phases(own, services, requested, ended, outcome),
            services, [.. events.Where(picked.Contains).OrderBy(e => e.Time)]);
    }

    /// <summary>"no site operation s-9 in the journal; recent ones: s-2 (east, 12:00:00Z), s-1 (east, …)".</summary>
    public static string NotFound(string operation, IReadOnlyList<JournalEvent> events, int recent = 5)
    {
        var known = events.Where(e => e.Type.StartsWith(SitePrefix, StringComparison.Ordinal))
            .Select(e => (Id: OperationOf(e), e.Time, Site: (e as ISiteEvent)?.Site ?? Field(e, "site")))
            .Where(o => o.Id is not null).DistinctBy(o => o.Id).Reverse().Take(recent).ToList();
        string listed = known.Count == 0 ? "the journal has no site operation"
            : "recent ones: " + string.Join(", ", known.Select(o => $"{o.Id} ({o.Site}, requested {o.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)"));
        return $"no site operation '{operation}' in the journal; {listed}";
    }

    /// <summary>The operation a site.* event belongs to: a known record's field, else the stored <c>operation</c>.</summary>
    public static string? OperationOf(JournalEvent e) => e switch
    {
        ISiteEvent s => s.Operation,
        _ when e.Type.StartsWith(SitePrefix, StringComparison.Ordinal) => Field(e, "operation"),
        _ => null,
    };

    /// <summary>Per service, the requests the operation started: on site.started (or a newer site.* record naming one), and its rollbacks.</summary>
    private static List<(string Service, string Request)> RequestsOf(string operation, List<JournalEvent> own, IReadOnlyList<JournalEvent> events) =>
    [
        .. own.Select(e => (e.Service, Request: e is SiteStarted s ? s.Request : Field(e, "request"))).Where(r => r.Request is not null).Select(r => (r.Service, r.Request!))
            .Concat(events.OfType<RequestCreated>().Where(c => Mentions(c.RequestReason, operation)).Select(c => (c.Service, c.RequestId)))
            .Distinct(),
    ];

    /// <summary>Every event of the service from the request's first event to its end (or the journal's last, while open).</summary>
    private static IEnumerable<JournalEvent> RequestWindow(IReadOnlyList<JournalEvent> events, string service, string request)
    {
        var all = events.Where(e => e.Service == service).ToList();
        int first = all.FindIndex(e => (e as IRequestEvent)?.RequestId == request);
        if (first < 0) return [];
        int end = all.FindIndex(first, e => (e as IRequestEvent)?.RequestId == request && e is RequestCompleted or RequestFailed or RequestRejected or RequestExpired);
        return all.Skip(first).Take((end < 0 ? all.Count : end + 1) - first);
    }

    private static SiteServiceRecord Service(string service, int order, List<JournalEvent> own, IReadOnlyList<JournalEvent> events,
        List<(string Service, string Request)> requests)
    {
        var mine = own.Where(e => e.Service == service).ToList();
        SiteStarted? started = mine.OfType<SiteStarted>().FirstOrDefault();
        SiteRolledBack? back = mine.OfType<SiteRolledBack>().LastOrDefault();
        string? rollback = requests.Where(r => r.Service == service && r.Request != started?.Request).Select(r => r.Request).LastOrDefault();
        var change = started is null ? [] : RequestWindow(events, service, started.Request).ToList();
        JournalEvent? begun = change.FirstOrDefault(e => e is SwitchoverStarted or FailoverStarted);
        JournalEvent? switched = begun is null ? null : change.FirstOrDefault(e => e is TrafficSwitched && e.Time >= begun.Time);
        JournalEvent? ended = change.LastOrDefault(e => e is RequestCompleted or RequestFailed or RequestRejected or RequestExpired);
        return new SiteServiceRecord(service, order, started?.From, started?.To ?? mine.OfType<SiteRequested>().FirstOrDefault()?.Member, started?.Kind, started?.Request,
            begun, switched, ended, mine.OfType<SiteServiceMoved>().FirstOrDefault(), mine.FirstOrDefault(e => e is SiteFailed), back, rollback);
    }

    private static (SiteOutcome, JournalEvent?) Outcome(List<JournalEvent> own, List<SiteServiceRecord> services)
    {
        if (own.LastOrDefault(e => e is SiteCompleted) is { } completed) return (SiteOutcome.Completed, completed);
        if (own.LastOrDefault(e => e is SiteRejected) is { } rejected) return (SiteOutcome.Rejected, rejected);
        if (own.LastOrDefault(e => e.Type == SiteExpired) is { } expired) return (SiteOutcome.Expired, expired);
        if (own.FirstOrDefault(e => e is SiteFailed) is not { } failed) return (SiteOutcome.UnderWay, null);
        // Failed, and over once every service it had moved has its rollback journaled.
        bool rollbackDone = services.Where(s => s.Moved is not null).All(s => s.RolledBack is not null);
        return rollbackDone ? (SiteOutcome.Failed, own.LastOrDefault(e => e is SiteRolledBack) ?? failed) : (SiteOutcome.UnderWay, null);
    }

    /// <summary>
    /// The runbooks' six phases, each marked by the event that ends it. The plan is validated when it is requested (a plan
    /// that cannot run is refused and never journaled), and checked again as the first service starts to move, which the
    /// approval that completes it sets off at once: without a journaled approval, that start marks the approval.
    /// </summary>
    private static List<Milestone> Phases(List<JournalEvent> own, List<SiteServiceRecord> services, JournalEvent requested, JournalEvent? ended, SiteOutcome outcome)
    {
        JournalEvent? failed = own.FirstOrDefault(e => e is SiteFailed);
        JournalEvent? launched = own.FirstOrDefault(e => e is SiteStarted) ?? failed;
        JournalEvent? approved = own.LastOrDefault(e => e.Type == SiteApproved)
            ?? (outcome is SiteOutcome.Rejected or SiteOutcome.Expired ? ended : launched);
        JournalEvent? executed = failed ?? services.Select(s => s.RequestEnded).LastOrDefault(e => e is not null);
        JournalEvent? verified = outcome == SiteOutcome.Completed ? ended : null;
        JournalEvent? rolledBack = own.LastOrDefault(e => e is SiteRolledBack);
        return [new("detect", requested), new("validate", requested), new("approve", approved), new("execute", executed),
            new("verify", verified), new("roll back", rolledBack)];
    }

    private static bool Mentions(string text, string operation) => Regex.IsMatch(text, $@"\b{Regex.Escape(operation)}\b");

    /// <summary>A text field of an event this version does not know, as it was stored.</summary>
    private static string? Field(JournalEvent e, string name)
    {
        if (e is not UnknownEvent u) return null;
        try
        {
            using var doc = JsonDocument.Parse(u.Json);
            return doc.RootElement.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException) { return null; }
    }
}
