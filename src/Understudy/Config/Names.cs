using System.Text.RegularExpressions;

namespace Understudy.Config;

/// <summary>
/// Service and member names end up in URLs, metric labels, journal rows and hook arguments, so they are kept
/// to a shape that needs no quoting anywhere, and to a DNS label's length (63), which they often become.
/// </summary>
internal static partial class Names
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex Shape();

    public const int MaxLength = 63;

    public static bool IsValid(string name) => name.Length <= MaxLength && Shape().IsMatch(name);

    /// <summary>
    /// A host name as a name: lowercase, each run of other characters (dots of a domain) as one '-'. A host name
    /// with nothing usable gives <see cref="Core.Topology.ControllerDefaults.Name"/>.
    /// </summary>
    public static string FromHostName(string host)
    {
        string name = NotAllowed().Replace(host.ToLowerInvariant(), "-").Trim('-', '_');
        name = name[..Math.Min(name.Length, MaxLength)].TrimEnd('-', '_');
        return name.Length > 0 ? name : Core.Topology.ControllerDefaults.Name;
    }

    [GeneratedRegex("[^a-z0-9_-]+")]
    private static partial Regex NotAllowed();

    public static string WhyNot(string name) => name.Length > MaxLength
        ? $"a name is at most {MaxLength} characters, like a DNS label (got {name.Length}: '{name[..20]}…')"
        : $"a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got '{name}')";
}
