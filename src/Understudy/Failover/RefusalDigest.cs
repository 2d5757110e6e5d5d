using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Failover;

/// <summary>
/// Keeps a token holder who repeats a refused action (approving their own request in a loop) from filling the journal:
/// the first refusal is journaled; the same refusal of the same action to the same actor within the window after it is
/// only counted, and one <c>request.refused</c> with <c>repeated</c> closes the window. The API answers every one.
/// </summary>
public sealed class RefusalDigest(TimeSpan window)
{
    private readonly Dictionary<(string Actor, string Action, string Refused), Window> _open = [];

    private sealed class Window(RequestRefused first, DateTimeOffset since)
    {
        public RequestRefused First { get; } = first;
        public DateTimeOffset Since { get; } = since;
        public int Repeats { get; set; }
    }

    /// <summary>
    /// What of a decision's <paramref name="events"/> to journal at <paramref name="now"/>: the windows that ended
    /// first (all of them when <paramref name="closeAll"/>, at the stop), then the events less the counted repeats.
    /// </summary>
    public ImmutableArray<JournalEvent> Digest(ImmutableArray<JournalEvent> events, DateTimeOffset now, bool closeAll = false)
    {
        if (_open.Count == 0 && !events.Any(e => e is RequestRefused)) return events;
        var kept = ImmutableArray.CreateBuilder<JournalEvent>();
        foreach (var (key, ended) in _open.Where(w => closeAll || now >= w.Value.Since + window).ToList())
        {
            _open.Remove(key);
            if (ended.Repeats > 0) kept.Add(Summary(ended, now));
        }
        foreach (JournalEvent e in events)
        {
            if (e is RequestRefused r && _open.TryGetValue((r.Actor, r.Action, r.Refused), out Window? open))
            {
                open.Repeats++;
                continue;
            }
            if (e is RequestRefused first && !closeAll) _open[(first.Actor, first.Action, first.Refused)] = new Window(first, now);
            kept.Add(e);
        }
        return kept.ToImmutable();
    }

    private static RequestRefused Summary(Window w, DateTimeOffset now) => w.First with
    {
        Time = now,
        Repeated = w.Repeats,
        Reason = $"{w.First.Actor} was refused {w.First.Action} {w.Repeats} more time{(w.Repeats == 1 ? "" : "s")} since {w.Since:HH:mm:ss}: {w.First.Refused}",
    };
}
