using Understudy.Core.Journal;

namespace Understudy.Incidents;

/// <summary>Picks one failover or switchover out of a service's journal by the epoch it created. Pure: events in, incident out.</summary>
public static class IncidentTimeline
{
    /// <summary>How far before the first sign the timeline begins, so the report shows what led up to it.</summary>
    public static readonly TimeSpan LeadIn = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A suspicion is confirmed or cleared by back-to-back checks within fall × timeout, and its clearing is
    /// not journaled: one further back than this before the member.down was a false alarm that cleared.
    /// </summary>
    public static readonly TimeSpan SuspicionLimit = TimeSpan.FromMinutes(2);

    /// <summary>The failover or switchover that created <paramref name="epoch"/>; null when the journal has none.</summary>
    /// <param name="events">The journal's events in the order they were written; other services' are ignored.</param>
    public static Incident? Find(string service, long epoch, IReadOnlyList<JournalEvent> events)
    {
        var all = events.Where(e => e.Service == service).ToList();
        if (StartIndex(all, epoch) is not { } start) return null;
        JournalEvent started = all[start];
        var kind = started.Type == EventTypes.FailoverStarted ? IncidentKind.Failover : IncidentKind.Switchover;
        var (from, to, requestId) = started switch
        {
            FailoverStarted f => (f.From, f.To, f.Request),
            SwitchoverStarted w => (w.From, w.To, w.Request),
            _ => ("?", started.Member ?? "?", null),
        };
        int end = all.FindIndex(start + 1, e => IsEnd(e, kind, epoch));
        JournalEvent? ended = end < 0 ? null : all[end];
        var request = requestId is null ? [] : all.Where(e => (e as IRequestEvent)?.RequestId == requestId).ToList();
        var (suspected, down) = kind == IncidentKind.Failover ? FirstSigns(all, start, from) : (null, null);

        // The steps after the start are this epoch's, before its end.
        var during = all.Skip(start + 1).Take((end < 0 ? all.Count : end) - start - 1).Where(e => e.Epoch == epoch).ToList();
        JournalEvent? Of(string type) => during.FirstOrDefault(e => e.Type == type);
        JournalEvent? switched = Of(EventTypes.TrafficSwitched);

        var milestones = new List<Milestone>();
        if (suspected is not null) milestones.Add(new("suspected", suspected));
        if (kind == IncidentKind.Failover) milestones.Add(new("confirmed down", down));
        if (request.FirstOrDefault(e => e.Type == EventTypes.RequestCreated) is { } created) milestones.Add(new("requested", created));
        if (request.LastOrDefault(e => e.Type == EventTypes.RequestApproved) is { } approved) milestones.Add(new("approved", approved));
        milestones.Add(new("decided", started));
        milestones.Add(new(kind == IncidentKind.Failover ? "fenced" : "drained", Of(EventTypes.MemberFenced)));
        if (Of(EventTypes.MemberPromoted) is { } promoted) milestones.Add(new("promoted", promoted));
        milestones.Add(new("traffic switched", switched));
        milestones.Add(new(ended?.Type is EventTypes.FailoverFailed or EventTypes.SwitchoverFailed ? "failed" : "completed", ended));

        DateTimeOffset origin = milestones.Select(m => m.Event?.Time).Min() ?? started.Time;
        DateTimeOffset windowFrom = WindowStart(all, origin), last = (ended ?? all[^1]).Time;
        return new Incident(service, epoch, kind, from, to, started, ended, suspected ?? down, switched, milestones, request, origin,
            [.. all.Where(e => e.Time >= windowFrom && e.Time <= last)], windowFrom);
    }

    /// <summary>"web has no failover or switchover that created epoch 9; epochs created by one: 2 (failover), 3 (switchover)".</summary>
    public static string NotFound(string service, long epoch, IReadOnlyList<JournalEvent> events)
    {
        var created = events.Where(e => e.Service == service)
            .Select(e => e.Type switch
            {
                EventTypes.FailoverStarted => (Epoch: e.Epoch, Kind: "failover"),
                EventTypes.SwitchoverStarted => (Epoch: e.Epoch + 1, Kind: "switchover"),
                _ => (Epoch: 0L, Kind: ""),
            })
            .Where(c => c.Kind.Length > 0).Distinct().OrderBy(c => c.Epoch).ToList();
        string known = created.Count == 0 ? "its journal has none" : "epochs created by one: " + string.Join(", ", created.Select(c => $"{c.Epoch} ({c.Kind})"));
        return $"{service} has no failover or switchover that created epoch {epoch}; {known}";
    }

    /// <summary>
    /// failover.started carries the new epoch. A switchover starts in the old one and advances it after the
    /// drain, so it is the last switchover.started of epoch N − 1 before anything of epoch N (an abandoned
    /// one never reaches N, and then the one after it is meant).
    /// </summary>
    private static int? StartIndex(List<JournalEvent> all, long epoch)
    {
        int failover = all.FindIndex(e => e.Type == EventTypes.FailoverStarted && e.Epoch == epoch);
        if (failover >= 0) return failover;
        int? switchover = null;
        for (int i = 0; i < all.Count && all[i].Epoch < epoch; i++)
            if (all[i].Type == EventTypes.SwitchoverStarted && all[i].Epoch == epoch - 1) switchover = i;
        return switchover;
    }

    private static bool IsEnd(JournalEvent e, IncidentKind kind, long epoch) => kind == IncidentKind.Failover
        ? e.Type is EventTypes.FailoverCompleted or EventTypes.FailoverFailed && e.Epoch == epoch
        : e.Type is EventTypes.SwitchoverCompleted or EventTypes.SwitchoverFailed;

    /// <summary>
    /// The old primary's signs of failure since it was last seen up: its first member.down, and the
    /// member.suspected (a connect the proxy could not make) that began confirming it, if there was one.
    /// </summary>
    private static (JournalEvent? Suspected, JournalEvent? Down) FirstSigns(List<JournalEvent> all, int start, string from)
    {
        JournalEvent? suspected = null, down = null;
        for (int i = start - 1; i >= 0; i--)
        {
            JournalEvent e = all[i];
            if (e.Member != from) continue;
            if (e.Type == EventTypes.MemberUp) break;
            if (e.Type == EventTypes.MemberDown) { down = e; suspected = null; }
            else if (e.Type == EventTypes.MemberSuspected) suspected ??= e;
        }
        DateTimeOffset confirmed = down?.Time ?? all[start].Time;
        return (suspected is not null && confirmed - suspected.Time <= SuspicionLimit ? suspected : null, down);
    }

    /// <summary>
    /// <see cref="LeadIn"/> before the first phase, so the timeline shows what led up to it; but nothing before
    /// the controller run the incident began in, whose start says what the controller knew.
    /// </summary>
    private static DateTimeOffset WindowStart(List<JournalEvent> all, DateTimeOffset origin)
    {
        DateTimeOffset from = origin - LeadIn;
        return all.LastOrDefault(e => e.Type == EventTypes.ControllerStarted && e.Time <= origin) is { } run && run.Time > from ? run.Time : from;
    }
}
