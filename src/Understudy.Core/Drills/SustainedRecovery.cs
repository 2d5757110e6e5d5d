namespace Understudy.Core.Drills;

/// <summary>
/// Finds the sustained run that ends an outage: the first run of unbroken successes, all started after
/// <c>after</c>, lasting at least <c>stableFor</c> from the start of its first attempt.
/// </summary>
public static class SustainedRecovery
{
    /// <summary>The first attempt of that run, or null if the samples hold none (yet).</summary>
    public static ProbeSample? FirstOfRun(IEnumerable<ProbeSample> samples, DateTimeOffset after, TimeSpan stableFor)
    {
        ProbeSample? runStart = null;
        foreach (ProbeSample s in samples.Where(s => s.Start >= after).OrderBy(s => s.Start))
        {
            if (!s.Ok) { runStart = null; continue; }
            runStart ??= s;
            if (s.End - runStart.Start >= stableFor) return runStart;
        }
        return null;
    }
}
