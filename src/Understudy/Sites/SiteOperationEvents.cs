using Understudy.Core.Journal;
using Understudy.Incidents;
using Understudy.Journal;

namespace Understudy.Sites;

/// <summary>What a site incident is picked from, read from a journal without reading all of it: every site.* event, and the whole journal of each service the operation involved.</summary>
public static class SiteOperationEvents
{
    /// <returns>In the order they were written; when no site.* event names <paramref name="operation"/>, the site.* events alone (to say which operations exist).</returns>
    /// <param name="read">The journal's reader: the controller's own, or a read-only one of its file.</param>
    public static async Task<IReadOnlyList<JournalEvent>> ReadAsync(Func<JournalQuery, CancellationToken, Task<IReadOnlyList<JournalEvent>>> read, string operation, CancellationToken ct)
    {
        IReadOnlyList<JournalEvent> site = await read(new JournalQuery(TypePrefix: SiteIncidentTimeline.SitePrefix), ct);
        var events = new Dictionary<long, JournalEvent>();
        foreach (string service in site.Where(e => SiteIncidentTimeline.OperationOf(e) == operation).Select(e => e.Service).Distinct())
            foreach (JournalEvent e in await read(new JournalQuery(service), ct)) events[e.Id] = e;
        foreach (JournalEvent e in site) events[e.Id] = e;
        return [.. events.Values.OrderBy(e => e.Id)];
    }
}
