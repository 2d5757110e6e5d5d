using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Cli;

/// <summary>One service's whole journal, oldest first: from the SQLite file, or page by page from a running controller.</summary>
internal static class ServiceEvents
{
    /// <exception cref="JournalException">The file is missing or not a journal.</exception>
    public static Task<IReadOnlyList<JournalEvent>> FromJournalAsync(string path, string service, CancellationToken ct) =>
        SqliteJournal.OpenReadOnly(path).ReadAsync(new JournalQuery(service), ct);

    /// <exception cref="ApiException">The controller did not answer, refused, or answered something else.</exception>
    public static async Task<IReadOnlyList<JournalEvent>> FromApiAsync(ApiClient api, string service, CancellationToken ct)
    {
        var events = new List<JournalEvent>();
        await foreach (EventView e in api.EventsAsync(new JournalQuery(service), ct)) events.Add(ToJournalEvent(e));
        return events;
    }

    /// <summary>The API's view back as the typed event, so both sources read alike.</summary>
    internal static JournalEvent ToJournalEvent(EventView v) =>
        EventJson.FromParts(v.Id, v.Time, v.Service, v.Member, v.Epoch, v.Type, v.Actor, v.Details);
}
