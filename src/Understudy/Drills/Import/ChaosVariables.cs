using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Understudy.Drills.Import;

/// <summary>
/// An experiment's <c>configuration</c> and <c>secrets</c>, substituted into its values at import. Plain values are written
/// in; values Chaos Toolkit reads from the environment become the drill's own <c>${NAME}</c>, so they are still read when
/// the drill runs and never copied into the file.
/// </summary>
internal sealed partial class ChaosVariables(ImportNotes notes)
{
    // Python's string.Template, which Chaos Toolkit substitutes with: $$, ${name} and $name.
    [GeneratedRegex(@"\$(?:(?<escaped>\$(?=\{[_A-Za-z][_A-Za-z0-9]*\}))|(?<dollar>\$)|\{(?<braced>[_A-Za-z][_A-Za-z0-9]*)\}|(?<bare>[_A-Za-z][_A-Za-z0-9]*))")]
    private static partial Regex Template();

    // The drill loader's own ${NAME}: literal text that looks like one must be written $${NAME}.
    [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_]*\}")]
    private static partial Regex DrillReference();

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")]
    private static partial Regex OnlyReference();

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static ChaosVariables Read(JsonElement experiment, ImportNotes notes)
    {
        var variables = new ChaosVariables(notes);
        if (experiment.Object("configuration") is { } configuration)
            foreach (JsonProperty p in configuration.EnumerateObject())
                variables._values[p.Name] = variables.Configuration(p.Value, $"configuration.{p.Name}", p.Name);
        // Configuration wins over a secret of the same name, as in Chaos Toolkit's lookup.
        if (experiment.Object("secrets") is { } secrets)
            foreach (JsonProperty scope in secrets.EnumerateObject().Where(s => s.Value.ValueKind == JsonValueKind.Object))
                foreach (JsonProperty s in scope.Value.EnumerateObject())
                    variables._values.TryAdd(s.Name, variables.Secret(s.Value, $"secrets.{scope.Name}.{s.Name}", s.Name));
        return variables;
    }

    /// <summary>The text as the drill file must hold it: variables substituted, a literal <c>${X}</c> escaped.</summary>
    public string Resolve(string text, string path) => Template().Replace(text, m =>
    {
        if (m.Groups["escaped"].Success) return "$$";
        if (m.Groups["dollar"].Success) return "$";
        string name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value;
        if (_values.TryGetValue(name, out string? value)) return value;
        // Chaos Toolkit leaves an unknown $name as written; an unknown ${name} is most likely a --var given to chaos run.
        if (!m.Groups["braced"].Success) return m.Value;
        notes.Add(path, null, $"${{{name}}} is in neither configuration nor secrets (a --var of chaos run?): written as the environment variable ${{{name}}}");
        return m.Value;
    });

    /// <summary>A pause or timeout in seconds as a drill duration (<c>1500ms</c>, <c>5s</c>, <c>${PAUSE}s</c>); null when it is none.</summary>
    public string? Duration(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            string resolved = Resolve(value.GetString()!, path);
            if (OnlyReference().IsMatch(resolved)) return resolved + "s";
            return double.TryParse(resolved, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? FromSeconds(s) : null;
        }
        return value.Seconds() is { } seconds ? FromSeconds(seconds) : null;
    }

    /// <summary>Seconds as a drill duration, in whole milliseconds; null when not above zero.</summary>
    public static string? FromSeconds(double seconds)
    {
        if (!double.IsFinite(seconds)) return null;
        long ms = (long)Math.Round(seconds * 1000);
        if (ms <= 0) return null;
        return ms % 1000 == 0 ? $"{ms / 1000}s" : $"{ms}ms";
    }

    private string Configuration(JsonElement value, string path, string name)
    {
        if (value.Scalar() is { } text) return Literal(text);
        if (EnvironmentKey(value) is { } key)
        {
            if (value.Field("default") is { } fallback)
                notes.Add(path, $"env {key}", $"default {fallback.GetRawText()} not kept: a drill's ${{{key}}} has no default, so {key} must be set when the drill runs");
            return $"${{{key}}}";
        }
        notes.NotConverted(path, value.Text("type"), $"only values and env entries are read; written as the environment variable ${{{name}}}");
        return $"${{{name}}}";
    }

    private string Secret(JsonElement value, string path, string name)
    {
        if (EnvironmentKey(value) is { } key) return $"${{{key}}}";
        string why = value.ValueKind == JsonValueKind.String
            ? "a secret written in the experiment is not copied into the drill file"
            : $"a drill reads secrets from the environment only, not from {value.Text("type") ?? "this kind of store"}";
        notes.NotConverted(path, null, $"{why}; written as the environment variable ${{{name}}}, to be set when the drill runs");
        return $"${{{name}}}";
    }

    private static string? EnvironmentKey(JsonElement value) =>
        value.Text("type") == "env" && value.Text("key") is { } key && OnlyReference().IsMatch($"${{{key}}}") ? key : null;

    private static string Literal(string text) => DrillReference().Replace(text, m => "$" + m.Value);
}
