using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary><c>failover:</c> whether the controller fails over by itself, and how soon it may do so again.</summary>
internal static class FailoverSection
{
    private static readonly KeySet Keys = new(["mode", "cooldown"], new Dictionary<string, string>
    {
        ["approvals"] = NotYet.Arrives(NotYet.Operators),
        ["approval_timeout"] = NotYet.Arrives(NotYet.Operators),
        ["max_lag"] = NotYet.Arrives(NotYet.PostgreSql),
        ["synchronous"] = NotYet.Arrives(NotYet.PostgreSql),
        ["synchronous_strict"] = NotYet.Arrives(NotYet.PostgreSql),
    });

    private static readonly Dictionary<string, FailoverMode> Modes = new()
    {
        ["automatic"] = FailoverMode.Automatic,
        ["manual"] = FailoverMode.Manual,
    };

    /// <summary>Defaults fill what is absent; null after an error, which is recorded.</summary>
    public static FailoverSpec? Read(ConfigMapping service)
    {
        ConfigReader reader = service.Reader;
        ConfigMapping? f = service.Section("failover", Keys);
        FailoverMode? mode = f?.Optional("mode") is { } m ? reader.Choice(m, f.KeyOf("mode"), Modes) : FailoverMode.Automatic;
        // Zero is allowed: it means back-to-back failovers are not held back at all.
        TimeSpan? cooldown = f?.Optional("cooldown") is { } c ? reader.Duration(c, f.KeyOf("cooldown"), zeroAllowed: true) : FailoverDefaults.Cooldown;
        return mode is { } md && cooldown is { } cd ? new FailoverSpec(md, cd) : null;
    }
}
