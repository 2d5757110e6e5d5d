namespace Understudy.Tests.Testing;

/// <summary>
/// A clock that moves only when told, with the surface of FakeTimeProvider (Advance, SetUtcNow,
/// timers that fire in due order during Advance). Hand-written because
/// Microsoft.Extensions.TimeProvider.Testing does not restore from our NuGet mirror. The odd
/// timestamp frequency catches tick/millisecond mix-ups, as YARP's test clock does.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override long TimestampFrequency => 3_000_017;

    /// <summary>Timers waiting to fire; tests wait for one to exist before advancing past it.</summary>
    public int ActiveTimers { get { lock (_gate) return _timers.Count; } }

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }

    public override long GetTimestamp() => (long)((GetUtcNow() - DateTimeOffset.UnixEpoch).TotalSeconds * TimestampFrequency);

    public void SetUtcNow(DateTimeOffset value) => Advance(value - GetUtcNow());

    /// <summary>Moves time forward, firing each due timer at its own instant, earliest first.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate) target = _now + by;
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= target).MinBy(t => t.Due);
                if (next is null) { _now = target; return; }
                if (next.Due > _now) _now = next.Due;
                next.Reschedule(_now);
            }
            next.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;
        public DateTimeOffset Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                Due = clock._now + dueTime;
                clock._timers.Add(this);
            }
            return true;
        }

        /// <summary>Called under the clock's lock: one-shot timers leave, periodic ones move on.</summary>
        public void Reschedule(DateTimeOffset now)
        {
            if (_period <= TimeSpan.Zero || _period == Timeout.InfiniteTimeSpan) clock._timers.Remove(this);
            else Due = now + _period;
        }

        public void Fire() => callback(state);

        public void Dispose() { lock (clock._gate) clock._timers.Remove(this); }

        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
