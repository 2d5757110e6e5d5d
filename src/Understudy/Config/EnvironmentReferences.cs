using System.Text.RegularExpressions;

namespace Understudy.Config;

/// <summary>
/// <c>${NAME}</c> in a value is replaced by the environment variable NAME, so secrets stay out of the file.
/// The values are never written into an error message (see <see cref="ConfigValue.Redact"/>).
/// </summary>
internal static partial class EnvironmentReferences
{
    // "$${NAME}" is the escape for a literal "${NAME}", as in Docker Compose.
    [GeneratedRegex(@"(?<escape>\$)?\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();

    [GeneratedRegex("'[^']*'")]
    private static partial Regex Quoted();

    /// <summary>Expands every reference; names that are not set come back in <paramref name="unset"/>.</summary>
    public static string Expand(string written, Func<string, string?> environment, List<string> secrets, List<string> unset) =>
        Reference().Replace(written, m =>
        {
            if (m.Groups["escape"].Success) return m.Value[1..];
            string name = m.Groups["name"].Value;
            if (environment(name) is { } value) { secrets.Add(value); return value; }
            unset.Add(name);
            return m.Value;
        });

    /// <summary>Replaces every quoted part of a message that shows a secret by the text as written.</summary>
    public static string Redact(string message, string expanded, string written, IReadOnlyList<string> secrets) =>
        Quoted().Replace(message, m =>
            m.Value == $"'{expanded}'" ? $"'{written}'"
            : secrets.Any(s => s.Length > 0 && m.Value.Contains(s, StringComparison.Ordinal)) ? "'(value from the environment)'"
            : m.Value);
}

/// <summary>A scalar's text after <c>${NAME}</c> expansion, with what was written, for messages.</summary>
internal sealed record ConfigValue(string Text, string Written, IReadOnlyList<string> Secrets)
{
    public bool FromEnvironment => Secrets.Count > 0;

    /// <summary>What an error may quote: the text as written when it came from the environment.</summary>
    public string Shown => FromEnvironment ? Written : Text;

    public string Redact(string message) =>
        FromEnvironment ? EnvironmentReferences.Redact(message, Text, Written, Secrets) : message;
}
