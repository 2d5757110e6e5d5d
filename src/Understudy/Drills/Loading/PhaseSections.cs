using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>The small mappings that time the drill: <c>steady_state</c>, <c>recovery</c> (<c>stop_conditions</c> has a file of its own).</summary>
internal static class PhaseSections
{
    private static readonly KeySet SteadyKeys = new(["duration", "max_error_rate"]);
    private static readonly KeySet RecoveryKeys = new(["timeout", "stable_for"]);

    /// <summary>Defaults for what is absent; null after an error, which is recorded.</summary>
    public static SteadyStateSpec? SteadyState(ConfigMapping top)
    {
        ConfigReader reader = top.Reader;
        ConfigMapping? s = top.Section("steady_state", SteadyKeys);
        if (s is null && top.IsSet("steady_state")) return null;

        TimeSpan? duration = s?.Optional("duration") is { } d
            ? reader.Duration(d, s.KeyOf("duration"), zeroAllowed: true)
            : SteadyStateSpec.Default.Duration;
        double? rate = s?.Optional("max_error_rate") is { } r ? ErrorRate(reader, r, s.KeyOf("max_error_rate")) : SteadyStateSpec.Default.MaxErrorRate;
        return duration is { } dur && rate is { } max ? new SteadyStateSpec(dur, max) : null;
    }

    public static RecoverySpec? Recovery(ConfigMapping top)
    {
        ConfigReader reader = top.Reader;
        ConfigMapping? r = top.Section("recovery", RecoveryKeys);
        if (r is null && top.IsSet("recovery")) return null;

        TimeSpan? timeout = r?.Optional("timeout") is { } t ? reader.Duration(t, r.KeyOf("timeout"), zeroAllowed: false) : RecoverySpec.Default.Timeout;
        TimeSpan? stable = r?.Optional("stable_for") is { } sf ? reader.Duration(sf, r.KeyOf("stable_for"), zeroAllowed: false) : RecoverySpec.Default.StableFor;
        if (timeout is not { } limit || stable is not { } run) return null;
        // A run of successes longer than the wait for it could never be seen, so the drill would always time out.
        if (run < limit) return new RecoverySpec(limit, run);
        // Both defaults fit, so r is set here; the error goes to whichever of the two the file wrote.
        if (r!.Optional("stable_for") is { } written)
        {
            string which = r.Has("timeout") ? "" : ", the default";
            reader.Error(written, r.KeyOf("stable_for"), $"must be shorter than timeout ({Durations.Format(limit)}{which}), got {Durations.Format(run)}");
        }
        else
        {
            reader.Error(r.Optional("timeout")!, r.KeyOf("timeout"),
                $"must be longer than stable_for ({Durations.Format(run)}, the default), got {Durations.Format(limit)}");
        }
        return null;
    }

    // A bare number is a fraction (0.01); with a percent sign it is a percentage (1%). Both end as a fraction.
    internal static double? ErrorRate(ConfigReader reader, YamlNode node, string key)
    {
        if (DrillValues.Number(reader, node, key, "a fraction such as 0.01 or a percentage such as 1%", out bool percent, out string shown) is not { } n)
            return null;
        double fraction = percent ? n / 100 : n;
        if (fraction is >= 0 and <= 1) return fraction;
        reader.Error(node, key, $"must be from 0 to 1 (or 0% to 100%), got {shown}");
        return null;
    }
}
