namespace Understudy.Drills.Reports;

/// <summary>x: milliseconds since the drill started → pixels, clamped to the plot.</summary>
internal sealed record TimeScale(DateTimeOffset Origin, double SpanMs, double Left, double Width)
{
    public double X(DateTimeOffset t) => X((t - Origin).TotalMilliseconds);

    public double X(double ms) => Left + Math.Clamp(ms / SpanMs, 0, 1) * Width;

    /// <summary>
    /// A 1-2-5 step giving about eight ticks, so labels stay round numbers at any drill length; labelled in
    /// seconds from a one-second step up and in milliseconds below, one unit along the whole axis.
    /// </summary>
    public IEnumerable<(double Ms, string Label)> Ticks()
    {
        double raw = SpanMs / 8, step = 1;
        for (double decade = 1; step < raw; decade *= 10)
            step = new[] { 1, 2, 5, 10 }.Select(m => m * decade).First(s => s >= raw || s == 10 * decade);
        for (int i = 0; i * step <= SpanMs + step / 1000; i++)
        {
            double t = i * step;
            yield return (t, step >= 1000
                ? (t / 1000).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s"
                : Fmt.Num(t) + " ms");
        }
    }
}

/// <summary>
/// y: latency on a log scale over whole decades. Log because a drill's latencies span sub-millisecond
/// loopback answers to multi-second held or timed-out attempts, and a linear axis flattens one or the other.
/// </summary>
internal sealed record LatencyScale(double LoMs, double HiMs)
{
    public static LatencyScale For(IEnumerable<double> latenciesMs)
    {
        var positive = latenciesMs.Where(ms => ms > 0).ToList();
        if (positive.Count == 0) return new(1, 1000);
        // At least 0.1 ms at the bottom (timer resolution) and two decades in all, so a flat line still reads.
        double lo = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(positive.Min(), 0.1))));
        double hi = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(positive.Max(), lo * 100))));
        return new(lo, hi);
    }

    /// <summary>0 at the bottom of the band, 1 at the top; anything at or below the floor sits on the floor.</summary>
    public double Fraction(double ms) =>
        ms <= LoMs ? 0 : Math.Min(1, Math.Log10(ms / LoMs) / Math.Log10(HiMs / LoMs));

    public IEnumerable<double> Decades()
    {
        for (double d = LoMs; d <= HiMs * 1.0001; d *= 10) yield return d;
    }

    public static string Label(double ms) => ms >= 1000 ? Fmt.Px(ms / 1000) + " s" : Fmt.Px(ms) + " ms";
}
