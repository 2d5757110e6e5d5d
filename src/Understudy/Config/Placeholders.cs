using System.Text.RegularExpressions;

namespace Understudy.Config;

/// <summary>The <c>{{name}}</c> placeholders a hook's arguments may carry, filled in when the hook runs.</summary>
internal static partial class Placeholders
{
    public static readonly IReadOnlyList<string> Names = ["service", "old_primary", "new_primary", "epoch"];

    public static string Allowed => NodeText.List(Names.Select(n => $"{{{{{n}}}}}"));

    [GeneratedRegex(@"\{\{[^{}]*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>
    /// The first placeholder that is not one of <see cref="Names"/>, or null. Checked on the text as written,
    /// before <c>${NAME}</c> expansion, so a secret's contents are never taken for a placeholder or quoted.
    /// </summary>
    public static string? Unknown(string written) =>
        Placeholder().Matches(written).Select(m => m.Value).FirstOrDefault(p => !Names.Contains(p[2..^2]));
}
