using System.Text.RegularExpressions;

namespace Understudy.Config;

/// <summary>
/// Service and member names end up in URLs, metric labels, journal rows and hook arguments, so they are kept
/// to a shape that needs no quoting anywhere.
/// </summary>
internal static partial class Names
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex Shape();

    public static bool IsValid(string name) => Shape().IsMatch(name);

    public static string WhyNot(string name) =>
        $"a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got '{name}')";
}
