namespace Understudy.Traffic;

/// <summary>
/// After thousands of connections close at once (a fence), their memory is garbage that a quiet controller, which
/// allocates little, would keep for minutes, and server GC keeps freed regions committed. One full, compacting
/// collection a moment later gives it back to the system. Not at once: its pause would delay the failover.
/// </summary>
internal static partial class MassCloseCompaction
{
    private const int Threshold = 1000;
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private static int _scheduled;

    public static void Closed(int count, TimeProvider time, ILogger logger)
    {
        if (count < Threshold || Interlocked.Exchange(ref _scheduled, 1) == 1) return;
        _ = CollectAsync(count, time, logger);
    }

    private static async Task CollectAsync(int closed, TimeProvider time, ILogger logger)
    {
        await Task.Delay(Delay, time);
        Interlocked.Exchange(ref _scheduled, 0);
        TimeSpan paused = GC.GetTotalPauseDuration();
        long before = GC.GetGCMemoryInfo().HeapSizeBytes;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Log.Compacted(logger, closed, before >> 20, GC.GetGCMemoryInfo().HeapSizeBytes >> 20, (GC.GetTotalPauseDuration() - paused).TotalMilliseconds);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 330, Level = LogLevel.Information, Message = "{Closed} connections closed at once: heap compacted, {Before} → {After} MiB, in a {PauseMs:0.0} ms pause")]
        public static partial void Compacted(ILogger logger, int closed, long before, long after, double pauseMs);
    }
}
