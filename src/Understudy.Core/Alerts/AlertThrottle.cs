namespace Understudy.Core.Alerts;

/// <summary>
/// Dedup and rate limit for one channel, as a pure rule over the instants it is given:
/// <list type="bullet">
/// <item>a resolve goes out whenever the receivers heard its trigger, however soon; otherwise it is
/// dropped, and a trigger of its key still held back with it: the condition came and went unannounced
/// (also every member coming up when the controller starts);</item>
/// <item>a trigger or info goes out unless its kind was sent for the same key less than the interval ago;</item>
/// <item>then, if its key is open (the receivers heard the trigger and no resolve), it is dropped as a duplicate;
/// otherwise it is held until the interval ends, so what the receivers last heard is never wrong for
/// longer than the interval (a member that flaps and stays down is still reported down).</item>
/// </list>
/// Not thread-safe: one reader (the notifier's loop) owns it.
/// </summary>
public sealed class AlertThrottle(TimeSpan minInterval)
{
    private readonly Dictionary<(string Key, string Kind), DateTimeOffset> _lastSent = [];
    private readonly HashSet<string> _open = [];
    private readonly Dictionary<string, (Notification Held, DateTimeOffset Due)> _held = [];

    /// <summary>When the earliest held notification is due, if any.</summary>
    public DateTimeOffset? NextDue => _held.Count == 0 ? null : _held.Values.Min(h => h.Due);

    /// <summary>The notification to send now, or null when it is dropped or held.</summary>
    public Notification? Offer(Notification n, DateTimeOffset now)
    {
        if (n.Action == AlertAction.Resolve)
        {
            _held.Remove(n.DedupKey);
            return _open.Remove(n.DedupKey) ? n : null;
        }
        if (!_lastSent.TryGetValue((n.DedupKey, n.Kind), out DateTimeOffset last) || now - last >= minInterval) return Sent(n, now);
        if (!_open.Contains(n.DedupKey)) _held[n.DedupKey] = (n, last + minInterval);
        return null;
    }

    /// <summary>Held notifications whose interval has ended, in due order; they count as sent now.</summary>
    public IReadOnlyList<Notification> Due(DateTimeOffset now)
    {
        var due = _held.Values.Where(h => h.Due <= now).OrderBy(h => h.Due).Select(h => h.Held).ToList();
        foreach (Notification n in due) Sent(n, now);
        return due;
    }

    private Notification Sent(Notification n, DateTimeOffset now)
    {
        _lastSent[(n.DedupKey, n.Kind)] = now;
        // A newer notification of the key supersedes one still held.
        _held.Remove(n.DedupKey);
        if (n.Action == AlertAction.Trigger) _open.Add(n.DedupKey);
        return n;
    }
}
