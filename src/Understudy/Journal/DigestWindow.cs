using System.Globalization;

namespace Understudy.Journal;

/// <summary>
/// How long repeats are counted before one record is journaled for them all (failed sign-ins, the same refusal
/// again), so nobody can fill the journal by repeating a request. A minute; tests shorten it with
/// <c>UNDERSTUDY_DIGEST_WINDOW</c> (seconds), as <see cref="Failover.SnapshotPolicy"/> does its own.
/// </summary>
public static class DigestWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("UNDERSTUDY_DIGEST_WINDOW"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : 60);
}
