using System.Globalization;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary><c>targets:</c> what drills measure against: rto, recovery (default = rto), rpo.</summary>
internal static class TargetsSection
{
    private static readonly KeySet Keys = new(["rto", "recovery", "rpo"]);

    /// <summary>No targets when absent; null after an error, which is recorded.</summary>
    public static TargetsSpec? Read(ConfigMapping service)
    {
        ConfigReader reader = service.Reader;
        if (service.Section("targets", Keys) is not { } t) return service.IsSet("targets") ? null : TargetsSpec.None;

        int before = reader.ErrorCount;
        TimeSpan? rto = t.Optional("rto") is { } r ? reader.Duration(r, t.KeyOf("rto"), zeroAllowed: false) : null;
        TimeSpan? recovery = t.Optional("recovery") is { } rec ? reader.Duration(rec, t.KeyOf("recovery"), zeroAllowed: false) : rto;
        RpoTarget? rpo = t.Optional("rpo") is { } p ? Rpo(reader, p, t.KeyOf("rpo")) : null;
        return reader.ErrorCount == before ? new TargetsSpec(rto, recovery, rpo) : null;
    }

    // A bare integer counts acknowledged writes lost; a duration bounds the window those writes may span.
    // Drill files read their own rpo target with this too, so both files spell it the same way.
    internal static RpoTarget? Rpo(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, "a count of lost writes or a duration") is not { } v) return null;
        if (int.TryParse(v.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int writes))
        {
            if (writes >= 0) return new RpoTarget(writes, null);
            reader.Fail(node, key, v, $"must be ≥ 0 (got {v.Shown})");
            return null;
        }
        if (Durations.TryParse(v.Text, out TimeSpan window, out string whyNot)) return new RpoTarget(null, window);
        reader.Fail(node, key, v, v.Text.StartsWith('-') ? whyNot
            : $"expected a count of lost writes (0, 1, …) or a duration such as 5s, got '{v.Text}'");
        return null;
    }
}
