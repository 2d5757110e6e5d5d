namespace Understudy.Traffic;

/// <summary>
/// After thousands of connections close at once (a fence), their memory is garbage that a quiet controller, which
/// allocates little, would keep for minutes, and server GC keeps freed regions committed. One full, compacting
/// collection a moment later gives it back to the system. Not at once: its pause would delay the failover.
/// </summary>
internal static class MassCloseCompaction
{
    private const int Threshold = 1000;
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private static int _scheduled;

    public static void Closed(int count, TimeProvider time)
    {
        if (count < Threshold || Interlocked.Exchange(ref _scheduled, 1) == 1) return;
        _ = CollectAsync(time);
    }

    private static async Task CollectAsync(TimeProvider time)
    {
        await Task.Delay(Delay, time);
        Interlocked.Exchange(ref _scheduled, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
