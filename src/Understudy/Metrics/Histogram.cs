namespace Understudy.Metrics;

/// <summary>A fixed-bucket histogram; observed from any thread.</summary>
public sealed class Histogram(IReadOnlyList<double> bounds)
{
    private readonly Lock _gate = new();
    private readonly long[] _counts = new long[bounds.Count];
    private long _count;
    private double _sum;

    public void Observe(double value)
    {
        lock (_gate)
        {
            for (int i = 0; i < bounds.Count; i++)
                if (value <= bounds[i]) { _counts[i]++; break; }
            _count++;
            _sum += value;
        }
    }

    public HistogramSnapshot Snapshot()
    {
        lock (_gate)
        {
            var cumulative = new long[bounds.Count];
            long running = 0;
            for (int i = 0; i < bounds.Count; i++) cumulative[i] = running += _counts[i];
            return new HistogramSnapshot(bounds, cumulative, _sum, _count);
        }
    }
}

/// <param name="Cumulative">Observations ≤ each bound; those above the last bound are only in <see cref="Count"/> (the +Inf bucket).</param>
public sealed record HistogramSnapshot(IReadOnlyList<double> Bounds, IReadOnlyList<long> Cumulative, double Sum, long Count);

public static class Buckets
{
    /// <summary>Checks: about 1 ms (loopback TCP) to 5 s (a long timeout).</summary>
    public static readonly double[] CheckSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    /// <summary>Failover phases: 10 ms (a crash the proxy noticed) to 10 min (a manual failover waiting for people).</summary>
    public static readonly double[] FailoverSeconds = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
}
