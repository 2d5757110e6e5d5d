namespace Understudy.Checks;

/// <summary>
/// This process's own pauses — a GC, SIGSTOP, an overloaded host — measured on the monotonic clock: a dedicated
/// thread ticks every <see cref="Tick"/>, and a tick that comes late by more than <see cref="MinPause"/> marks the gap
/// as a pause. A check that spans a pause longer than its interval says nothing about the member (its timeout ran
/// while this process stood still), so it is discarded; this is Sentinel's TILT made exact. A probe queued on the
/// thread pool every tick while work waits there measures the other kind of stall, overload: a check that timed out while the pool made
/// work wait <see cref="MinPause"/> or more is discarded too. Written by hand: no package measures a process's own stalls.
/// </summary>
public sealed class StallWatch(TimeProvider time) : IDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    public static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(100);
    private const int Kept = 256;

    private readonly Lock _gate = new();
    private readonly Queue<(long From, long To)> _pauses = new();
    private readonly Queue<(long From, long To)> _overloads = new();
    /// <summary>When the probe now waiting in the thread pool was queued; <see cref="NoProbe"/> when none waits.</summary>
    private long _probeQueuedAt = NoProbe;
    private const long NoProbe = long.MinValue;
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
                long now = time.GetTimestamp();
                Ticked(now);
                ProbeThreadPool(now);
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
    /// Queues a probe on the thread pool while work waits there, unless a probe still waits; how late it runs is how long
    /// every check's and the proxy's continuations wait there (a reconnect storm's thousands of connections). Nothing
    /// waiting, nothing is late: a probe then would only wake an idle worker, which spins a while after it (50 a second
    /// were a tenth of a thousand services' CPU).
    /// </summary>
    private void ProbeThreadPool(long now)
    {
        if (ThreadPool.PendingWorkItemCount > 0 && PoolProbeQueued(now)) ThreadPool.UnsafeQueueUserWorkItem(_ => PoolProbeRan(time.GetTimestamp()), null);
    }

    /// <summary>Notes a probe queued at <paramref name="now"/>; false while the last one still waits (then none is queued).</summary>
    public bool PoolProbeQueued(long now) => Interlocked.CompareExchange(ref _probeQueuedAt, now, NoProbe) == NoProbe;

    /// <summary>The thread pool ran the probe at <paramref name="now"/>; a late one records an overload.</summary>
    public void PoolProbeRan(long now)
    {
        lock (_gate)
        {
            long queued = Interlocked.Exchange(ref _probeQueuedAt, NoProbe);
            if (queued == NoProbe || time.GetElapsedTime(queued, now) < MinPause) return;
            if (_overloads.Count == Kept) _overloads.Dequeue();
            _overloads.Enqueue((queued, now));
        }
    }

    /// <summary>
    /// The longest wait of the thread pool that overlaps [<paramref name="from"/>, <paramref name="to"/>], counting a
    /// probe still waiting. A timed-out check that overlaps one says more about this process than about the member.
    /// </summary>
    public TimeSpan LongestOverloadWithin(long from, long to)
    {
        lock (_gate)
        {
            TimeSpan longest = TimeSpan.Zero;
            foreach (var (start, end) in _overloads)
                if (start < to && end > from) longest = Max(longest, time.GetElapsedTime(start, end));
            long queued = Volatile.Read(ref _probeQueuedAt);
            if (queued != NoProbe && queued < to) longest = Max(longest, time.GetElapsedTime(queued, time.GetTimestamp()));
            return longest;
        }
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
