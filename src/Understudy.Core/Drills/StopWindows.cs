using System.Globalization;

namespace Understudy.Core.Drills;

/// <summary>
/// The sliding-window stop conditions, judged per probe (as <c>max_outage</c> and the availability target are:
/// one probe's clients failing is enough, however well the others fare). The window holds the probe's attempts
/// that ended in (now − window, now]; it is judged only once the probes have run a whole window (else the first
/// attempts after a kill would be a 100 % rate on their own) and holds at least <see cref="MinAttempts"/>
/// attempts (successful ones for p99), so a handful of samples cannot abort a drill.
/// </summary>
public static class StopWindows
{
    public const int MinAttempts = 10;

    /// <summary>The abort reason when the probe's error rate over the window is above the limit; null otherwise.</summary>
    public static string? ErrorRate(string probe, IEnumerable<ProbeSample> samples, DateTimeOffset probingSince, DateTimeOffset now, ErrorRateStop stop)
    {
        if (InWindow(samples, probingSince, now, stop.Window) is not { Count: >= MinAttempts } window) return null;
        int failed = window.Count(s => !s.Ok);
        double rate = (double)failed / window.Count;
        if (rate <= stop.Rate) return null;
        return F($"stop condition max_error_rate: probe {probe} failed {failed} of {window.Count} attempts in the last {Seconds(stop.Window)} s ({rate * 100:0.#} %), above {stop.Rate * 100:0.##} %");
    }

    /// <summary>The abort reason when the nearest-rank p99 latency of the probe's successes over the window is above the limit; null otherwise.</summary>
    public static string? P99(string probe, IEnumerable<ProbeSample> samples, DateTimeOffset probingSince, DateTimeOffset now, LatencyStop stop)
    {
        if (InWindow(samples, probingSince, now, stop.Window) is not { } window) return null;
        LatencySummary latency = ProbeMeasurement.Latency(window);
        if (latency.Count < MinAttempts || latency.P99Ms is not { } p99 || p99 <= stop.P99.TotalMilliseconds) return null;
        return F($"stop condition max_p99: probe {probe} had a p99 latency of {p99:0} ms over its {latency.Count} successful attempts in the last {Seconds(stop.Window)} s, above {stop.P99.TotalMilliseconds:0} ms");
    }

    /// <summary>Null until the probes have run a whole window.</summary>
    private static List<ProbeSample>? InWindow(IEnumerable<ProbeSample> samples, DateTimeOffset probingSince, DateTimeOffset now, TimeSpan window) =>
        now - probingSince < window ? null : [.. samples.Where(s => s.End > now - window && s.End <= now)];

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
