using Understudy.Core.Drills;

namespace Understudy.Core.Sites;

/// <summary>
/// <c>sites.X.verify.SERVICE</c>: what proves a moved service serves its clients. After the controller sees the new
/// primary routable and up, <see cref="Probe"/> (a drill probe's settings) must succeed <see cref="Successes"/> times
/// in a row before <see cref="Within"/> has passed.
/// </summary>
public sealed record SiteVerifySpec(ProbeSpec Probe, int Successes, TimeSpan Within);

public static class SiteVerifyDefaults
{
    public const int Successes = 3;
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
}
