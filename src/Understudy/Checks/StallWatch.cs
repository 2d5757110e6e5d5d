namespace Understudy.Checks;

/// <summary>
/// This process's own pauses — a GC, SIGSTOP, an overloaded host — measured on the monotonic clock: a dedicated
/// thread ticks every <see cref="Tick"/>, and a tick that comes late by more than <see cref="MinPause"/> marks the gap
/// as a pause. A check that spans a pause longer than its interval says nothing about the member (its timeout ran
/// while this process stood still), so it is discarded; this is Sentinel's TILT made exact. Written by hand: no
/// package measures a process's own stalls.
/// </summary>
public sealed class StallWatch(TimeProvider time) : IDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    public static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(100);
    private const int Kept = 256;

    private readonly Lock _gate = new();
    private readonly Queue<(long From, long To)> _pauses = new();
    private readonly CancellationTokenSource _stop = new();
    private long _lastTick = time.GetTimestamp();

    /// <summary>Raised on the watch's thread after a pause ended, with its length.</summary>
    public event Action<TimeSpan>? Stalled;

    /// <summary>Starts the ticking thread (above normal priority, so a busy thread pool does not look like a pause).</summary>
    public void Start()
    {
        var thread = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Thread.Sleep(Tick);
                Ticked(time.GetTimestamp());
            }
        }) { IsBackground = true, Name = "understudy-stall-watch", Priority = ThreadPriority.AboveNormal };
        thread.Start();
    }

    /// <summary>One tick at <paramref name="now"/> (a timestamp of the watch's clock); a late one records a pause.</summary>
    public void Ticked(long now)
    {
        TimeSpan gap;
        lock (_gate)
        {
            long last = _lastTick;
            _lastTick = now;
            gap = time.GetElapsedTime(last, now);
            if (gap < Tick + MinPause) return;
            if (_pauses.Count == Kept) _pauses.Dequeue();
            _pauses.Enqueue((last, now));
        }
        Stalled?.Invoke(gap);
    }

    /// <summary>
    /// The longest pause that overlaps [<paramref name="from"/>, <paramref name="to"/>] (timestamps), counting one still
    /// under way or not yet seen by the ticking thread (after a SIGCONT either thread may run first).
    /// </summary>
    public TimeSpan LongestPauseWithin(long from, long to)
    {
        lock (_gate)
        {
            TimeSpan longest = TimeSpan.Zero;
            foreach (var (start, end) in _pauses)
                if (start < to && end > from) longest = Max(longest, time.GetElapsedTime(start, end));
            long now = time.GetTimestamp();
            if (_lastTick < to && time.GetElapsedTime(_lastTick, now) >= Tick + MinPause) longest = Max(longest, time.GetElapsedTime(_lastTick, now));
            return longest;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public void Dispose() => _stop.Cancel();
}
