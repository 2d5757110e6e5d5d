using System.Globalization;

namespace Understudy.Failover;

/// <summary>
/// How often the state is written down whole, and how often a cluster's leader trims the shared log to the newest
/// snapshot every instance has read, and how long notes stay in etcd at least. Tests shorten them
/// (<c>UNDERSTUDY_SNAPSHOT_EVERY</c> events, <c>UNDERSTUDY_COMPACT_EVERY</c> and <c>UNDERSTUDY_NOTES_KEPT</c> seconds);
/// production has no reason to.
/// </summary>
public static class SnapshotPolicy
{
    public static readonly long Every = Read("UNDERSTUDY_SNAPSHOT_EVERY", 1000);

    public static readonly TimeSpan CompactEvery = TimeSpan.FromSeconds(Read("UNDERSTUDY_COMPACT_EVERY", 60));

    /// <summary>
    /// Notes younger than this are never trimmed: the trim counts only the instances alive now, and one away for less
    /// than a day (an upgrade, a crash) keeps its journal and comes back for the notes of its absence. A day, as an
    /// instance unseen for a day stops counting (DESIGN's retention rule).
    /// </summary>
    public static readonly TimeSpan NotesKeptFor = TimeSpan.FromSeconds(Read("UNDERSTUDY_NOTES_KEPT", 24 * 3600));

    private static long Read(string variable, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 ? n : fallback;
}
