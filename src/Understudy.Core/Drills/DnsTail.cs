namespace Understudy.Core.Drills;

/// <summary>
/// How long clients that resolve through a caching resolver kept reaching the old address after the switch
/// (a tcp probe with a resolver). <see cref="OldAddress"/> is the address most successful attempts before the fault
/// reached; <see cref="TailMs"/> runs from <see cref="FromAt"/> (traffic.switched, else the fault) to the start of the
/// last attempt, successful or not, that still went to it: 0 when none did, null when no old address is known.
/// </summary>
/// <param name="Resolver">The resolver the probe asked, as ip:port.</param>
/// <param name="From"><see cref="DnsTailCalculation.FromSwitch"/> or <see cref="DnsTailCalculation.FromFault"/>.</param>
public sealed record DnsTail(
    string Resolver,
    string? OldAddress,
    string From,
    DateTimeOffset FromAt,
    DateTimeOffset? LastOldAddressAt,
    double? TailMs,
    int AttemptsToOldAddressAfterSwitch);

/// <summary>Computes a probe's <see cref="DnsTail"/> from its samples' <see cref="ProbeSample.Address"/>. Pure.</summary>
public static class DnsTailCalculation
{
    public const string FromSwitch = "traffic.switched";
    public const string FromFault = "fault";

    /// <param name="faultAt">Before it, the old address; the tail is measured from it when <paramref name="switchedAt"/> is null.</param>
    /// <param name="switchedAt">The controller's traffic.switched after the fault, from the phase breakdown; null if none.</param>
    public static DnsTail Compute(string resolver, IEnumerable<ProbeSample> samples, DateTimeOffset faultAt, DateTimeOffset? switchedAt)
    {
        var list = samples.Where(s => s.Address is not null).OrderBy(s => s.Start).ThenBy(s => s.Seq).ToList();
        string? old = OldAddress(list, faultAt);
        DateTimeOffset from = switchedAt ?? faultAt;
        string fromName = switchedAt is null ? FromFault : FromSwitch;
        if (old is null) return new DnsTail(resolver, null, fromName, from, null, null, 0);

        var after = list.Where(s => s.Start >= from && s.Address == old).ToList();
        DateTimeOffset? last = after.Count == 0 ? null : after[^1].Start;
        return new DnsTail(resolver, old, fromName, from, last, last is { } l ? (l - from).TotalMilliseconds : 0, after.Count);
    }

    /// <summary>The most common address of successful attempts started before the fault; a tie goes to the one reached last.</summary>
    public static string? OldAddress(IEnumerable<ProbeSample> samples, DateTimeOffset faultAt) =>
        samples.Where(s => s.Ok && s.Address is not null && s.Start < faultAt)
            .GroupBy(s => s.Address!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Max(s => s.Start))
            .FirstOrDefault()?.Key;
}
