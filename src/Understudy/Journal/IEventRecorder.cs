using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// Where endpoints and the notifier hand in what they want recorded: through the service's loop, the journal's
/// one writer, so a record takes its place among the decisions (and, with several controllers, in the shared log).
/// </summary>
public interface IEventRecorder
{
    /// <summary>Records <paramref name="record"/> for <paramref name="service"/> (empty: no service) and returns it as stored, with its id.</summary>
    Task<JournalEvent> NoteAsync(string service, IInformational record, CancellationToken ct);
}
