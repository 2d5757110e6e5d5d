namespace Understudy.Core.Drills;

/// <summary>
/// What clients saw around a fault, with DESIGN.md's definitions:
/// <see cref="Rto"/> runs from the first failed attempt to the end of the first success of the sustained
/// run that follows (<c>stableFor</c> of unbroken successes), zero when nothing failed;
/// <see cref="Recovery"/> runs from the fault to the end of the first successful attempt started after it.
/// Null means "never recovered" in the samples given.
/// </summary>
public sealed record ClientOutage(int Attempts, int Failed, TimeSpan? Rto, TimeSpan? Recovery, TimeSpan MaxLatency, DateTimeOffset? FirstFailure)
{
    public static ClientOutage Measure(IReadOnlyList<ProbeSample> samples, DateTimeOffset faultAt, TimeSpan stableFor)
    {
        var ordered = samples.OrderBy(s => s.Start).ToList();
        ProbeSample? firstFailure = ordered.FirstOrDefault(s => !s.Ok);
        TimeSpan? recovery = ordered.FirstOrDefault(s => s.Ok && s.Start >= faultAt) is { } r ? r.End - faultAt : null;
        TimeSpan max = ordered.Count == 0 ? TimeSpan.Zero : ordered.Max(s => s.Latency);
        return new ClientOutage(ordered.Count, ordered.Count(s => !s.Ok), SustainedRecovery(ordered, firstFailure, stableFor), recovery, max, firstFailure?.Start);
    }

    private static TimeSpan? SustainedRecovery(List<ProbeSample> ordered, ProbeSample? firstFailure, TimeSpan stableFor)
    {
        if (firstFailure is null) return TimeSpan.Zero;
        ProbeSample? runStart = null;
        foreach (ProbeSample s in ordered.Where(s => s.Start > firstFailure.Start))
        {
            if (!s.Ok) { runStart = null; continue; }
            runStart ??= s;
            if (s.End - runStart.Start >= stableFor) return runStart.End - firstFailure.Start;
        }
        return null;
    }
}
