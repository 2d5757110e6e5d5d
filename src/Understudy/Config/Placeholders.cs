using System.Text.RegularExpressions;

namespace Understudy.Config;

/// <summary>The <c>{{name}}</c> placeholders a command's arguments may carry, filled in when it runs.</summary>
internal sealed partial class Placeholders(IReadOnlyList<string> names)
{
    /// <summary>hooks.on_failover, on_switchover and fence, and traffic.hooks; the addresses are the members' <c>address</c>.</summary>
    public static readonly Placeholders Hooks = new(["service", "old_primary", "new_primary", "epoch", "new_primary_address", "new_primary_host", "new_primary_port", "old_primary_address"]);

    /// <summary>hooks.veto: as hooks, and <c>{{change}}</c> (failover or switchover).</summary>
    public static readonly Placeholders Veto = new([.. Hooks.Names, "change"]);

    /// <summary>postgres.rejoin: turns the old primary <c>member</c> into a standby of the new primary.</summary>
    public static readonly Placeholders Rejoin = new(["service", "member", "data_dir", "primary_host", "primary_port", "new_primary"]);

    public IReadOnlyList<string> Names => names;

    public string Allowed => NodeText.List(names.Select(n => $"{{{{{n}}}}}"));

    [GeneratedRegex(@"\{\{[^{}]*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>
    /// The first placeholder that is not one of <see cref="Names"/>, or null. Checked on the text as written,
    /// before <c>${NAME}</c> expansion, so a secret's contents are never taken for a placeholder or quoted.
    /// </summary>
    public string? Unknown(string written) =>
        Placeholder().Matches(written).Select(m => m.Value).FirstOrDefault(p => !names.Contains(p[2..^2]));
}
