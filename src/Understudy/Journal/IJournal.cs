using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>Filter for reading the journal; every part is optional. Events come oldest first unless <paramref name="NewestFirst"/>.</summary>
/// <param name="TypePrefix">Only types starting with this, e.g. <c>request.</c>.</param>
/// <param name="BeforeId">Only events with a smaller id: the cursor of a newest-first page.</param>
/// <param name="NewestFirst">Newest first, so the last <paramref name="Limit"/> events are read without the rest.</param>
public sealed record JournalQuery(string? Service = null, string? Type = null, DateTimeOffset? Since = null, long AfterId = 0, int? Limit = null, string? TypePrefix = null,
    long? BeforeId = null, bool NewestFirst = false);

/// <summary>
/// The append-only record of every transition and step. <see cref="AppendAsync"/> is durable when it
/// returns: the controller journals a decision before acting on it, so a restart never repeats or
/// forgets a step. Nothing is ever updated or deleted.
/// </summary>
public interface IJournal : IAsyncDisposable
{
    Task<IReadOnlyList<JournalEvent>> AppendAsync(IReadOnlyList<JournalEvent> events, CancellationToken ct = default);

    Task<IReadOnlyList<JournalEvent>> ReadAsync(JournalQuery query, CancellationToken ct = default);
}
