using System.Globalization;

namespace Understudy.Failover;

/// <summary>
/// How often the state is written down whole, and how often a cluster's leader trims the shared log to the newest
/// snapshot every instance has read. Tests shorten both (<c>UNDERSTUDY_SNAPSHOT_EVERY</c> events,
/// <c>UNDERSTUDY_COMPACT_EVERY</c> seconds); production has no reason to.
/// </summary>
public static class SnapshotPolicy
{
    public static readonly long Every = Read("UNDERSTUDY_SNAPSHOT_EVERY", 1000);

    public static readonly TimeSpan CompactEvery = TimeSpan.FromSeconds(Read("UNDERSTUDY_COMPACT_EVERY", 60));

    private static long Read(string variable, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 ? n : fallback;
}
