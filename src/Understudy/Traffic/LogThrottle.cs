namespace Understudy.Traffic;

/// <summary>
/// Lets a repeated warning out at most once per interval and counts the ones it holds back, so a fault that recurs many
/// times a second is one line an interval that says how many more it stood for. The first after a quiet interval goes
/// out at once. For one caller at a time (an accept loop).
/// </summary>
internal sealed class LogThrottle(TimeSpan interval, TimeProvider time)
{
    private long _loggedAt;
    private bool _logged;
    private long _held;

    /// <summary>True when this occurrence is to be logged; <paramref name="held"/> is then how many were not since the last that was.</summary>
    public bool Admit(out long held)
    {
        long now = time.GetTimestamp();
        if (_logged && time.GetElapsedTime(_loggedAt, now) < interval)
        {
            _held++;
            held = 0;
            return false;
        }
        held = _held;
        _held = 0;
        _loggedAt = now;
        _logged = true;
        return true;
    }
}
