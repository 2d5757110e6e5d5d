using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary><c>targets:</c> what the drill is judged against: rto, recovery, rpo, availability, rto_tolerance.</summary>
internal static class DrillTargetsSection
{
    private static readonly KeySet Keys = new(["rto", "recovery", "rpo", "availability", "rto_tolerance"]);

    /// <summary>No targets when absent; null after an error, which is recorded.</summary>
    public static DrillTargets? Read(ConfigMapping top)
    {
        ConfigReader reader = top.Reader;
        if (top.Section("targets", Keys) is not { } t) return top.IsSet("targets") ? null : DrillTargets.None;

        int before = reader.ErrorCount;
        TimeSpan? rto = t.Optional("rto") is { } r ? reader.Duration(r, t.KeyOf("rto"), zeroAllowed: false) : null;
        // Unlike the config, recovery stays null when absent: the runner falls back to rto, or to the linked
        // service's target, and a report can then say where the number came from.
        TimeSpan? recovery = t.Optional("recovery") is { } rec ? reader.Duration(rec, t.KeyOf("recovery"), zeroAllowed: false) : null;
        RpoTarget? rpo = t.Optional("rpo") is { } p ? TargetsSection.Rpo(reader, p, t.KeyOf("rpo")) : null;
        double? availability = t.Optional("availability") is { } a ? Availability(reader, a, t.KeyOf("availability")) : null;
        double? tolerance = t.Optional("rto_tolerance") is { } tol
            ? Tolerance(reader, tol, t.KeyOf("rto_tolerance"))
            : DrillTargets.DefaultRtoTolerance;

        return reader.ErrorCount == before && tolerance is { } fraction
            ? new DrillTargets(rto, recovery, rpo, availability, fraction)
            : null;
    }

    // Availability is always a percentage, with or without the sign: 99.9 and 99.9% are the same target.
    private static double? Availability(ConfigReader reader, YamlNode node, string key)
    {
        if (DrillValues.Number(reader, node, key, "a percentage such as 99.9 or 99.9%", out _, out string shown) is not { } pct) return null;
        if (pct is > 0 and <= 100) return pct;
        reader.Error(node, key, $"must be > 0% and ≤ 100% (got {shown})");
        return null;
    }

    // "20%" and 20 both mean a fifth over the rto target; the spec keeps the fraction. A bare number
    // between 0 and 1 is refused: 0.2 would silently mean 0.2 %, where the writer almost surely meant 20 %.
    private static double? Tolerance(ConfigReader reader, YamlNode node, string key)
    {
        if (DrillValues.Number(reader, node, key, "a percentage such as 20%", out bool hadSign, out string shown) is not { } pct) return null;
        if (!hadSign && pct is > 0 and < 1)
        {
            reader.Error(node, key, $"write a percentage with its sign, e.g. 20%: a bare {shown} would mean {shown} %");
            return null;
        }
        if (pct >= 0) return pct / 100;
        reader.Error(node, key, $"must be ≥ 0% (got {shown})");
        return null;
    }
}
