using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>Filter for reading the journal; every part is optional.</summary>
/// <param name="TypePrefix">Only types starting with this, e.g. <c>request.</c>.</param>
public sealed record JournalQuery(string? Service = null, string? Type = null, DateTimeOffset? Since = null, long AfterId = 0, int? Limit = null, string? TypePrefix = null);

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
