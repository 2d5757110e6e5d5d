namespace Understudy.Core.Drills;

/// <summary>One stretch of a load: before the fault, during it (to recovery), after recovery.</summary>
public sealed record LoadWindow(string Name, double Seconds, int Attempts, int Succeeded, double ThroughputPerS, double ErrorRatePct, double? P50Ms, double? P99Ms);

/// <summary>The earliest failed attempt from the fault on, of a probe or a load: what broke first, and how.</summary>
public sealed record FirstFailure(string Source, DateTimeOffset At, double AfterFaultMs, ErrorKind Kind, string? Detail);

/// <summary>A load as reported: its windows, its first failure after the fault, and for a command how it ended.</summary>
public sealed record LoadResult(string Name, string Source, IReadOnlyList<LoadWindow> Windows, FirstFailure? FirstFailure, string? Outcome, string? Output);

/// <summary>Throughput, error rate and latency of a load per window of the drill, and the first failure after the fault. Pure.</summary>
public static class LoadMeasurement
{
    public const string Before = "before", During = "during", After = "after";

    /// <param name="faultAt">The fault's instant; without one, the whole load is "before".</param>
    /// <param name="recoveredAt">Clients' recovery; without one, "during" runs to the end.</param>
    public static LoadResult Measure(LoadRecord load, DateTimeOffset startedAt, DateTimeOffset endedAt, DateTimeOffset? faultAt, DateTimeOffset? recoveredAt)
    {
        var samples = load.Samples;
        var windows = new List<LoadWindow>();
        if (load.Spec.Generator is not null)
        {
            DateTimeOffset end = samples.Count == 0 ? endedAt : samples.Max(s => s.Start) > endedAt ? samples.Max(s => s.Start) : endedAt;
            windows.Add(Window(Before, samples, startedAt, faultAt ?? end));
            if (faultAt is { } fault)
            {
                windows.Add(Window(During, samples, fault, recoveredAt ?? end));
                if (recoveredAt is { } recovered) windows.Add(Window(After, samples, recovered, end));
            }
        }
        return new LoadResult(load.Spec.Name, load.Spec.Shown, windows, faultAt is { } f ? First([(load.Spec.Name, samples)], f) : null, load.Outcome, load.Output);
    }

    /// <summary>The earliest failed attempt started at or after <paramref name="fault"/> among <paramref name="sources"/>; ties go to the first source.</summary>
    public static FirstFailure? First(IEnumerable<(string Source, IReadOnlyList<ProbeSample> Samples)> sources, DateTimeOffset fault) =>
        sources.SelectMany(s => s.Samples.Where(x => !x.Ok && x.Start >= fault).Take(1).Select(x => (s.Source, Sample: x)))
            .OrderBy(f => f.Sample.Start).Select(f => new FirstFailure(f.Source, f.Sample.Start, (f.Sample.Start - fault).TotalMilliseconds,
                f.Sample.Error == ErrorKind.None ? ErrorKind.Other : f.Sample.Error, f.Sample.Detail))
            .FirstOrDefault();

    private static LoadWindow Window(string name, IReadOnlyList<ProbeSample> samples, DateTimeOffset from, DateTimeOffset to)
    {
        var inside = samples.Where(s => s.Start >= from && s.Start < to).ToList();
        int ok = inside.Count(s => s.Ok);
        double seconds = Math.Max((to - from).TotalSeconds, 0);
        double[] latencies = [.. inside.Where(s => s.Ok).Select(s => s.Latency.TotalMilliseconds).Order()];
        return new LoadWindow(name, seconds, inside.Count, ok, seconds > 0 ? ok / seconds : 0,
            inside.Count == 0 ? 0 : 100.0 * (inside.Count - ok) / inside.Count, Percentile(latencies, 0.5), Percentile(latencies, 0.99));
    }

    /// <summary>Nearest rank on sorted values; null when there are none.</summary>
    private static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
