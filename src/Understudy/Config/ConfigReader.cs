using System.Collections.Immutable;
using System.Globalization;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// Reads typed values from YAML nodes. Each method returns null after recording why, so a section reader
/// goes on to the next key and the whole file is checked in one pass.
/// </summary>
internal sealed class ConfigReader(ConfigErrors errors, Func<string, string?> environment, string baseDirectory)
{
    public int ErrorCount => errors.Count;

    public void Error(YamlNode at, string key, string message) => errors.Add(at, key, message);

    public ConfigMapping? Mapping(YamlNode node, string path, KeySet keys)
    {
        if (node is YamlMappingNode mapping) return ConfigMapping.Read(this, mapping, path, keys);
        Error(node, path, $"expected a mapping, got {NodeText.Describe(node)}");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode node, string key, string expected)
    {
        if (node is YamlSequenceNode sequence) return sequence;
        Error(node, key, $"expected {expected}, got {NodeText.Describe(node)}");
        return null;
    }

    /// <summary>A sequence of at least one item, each read by <paramref name="item"/> at <c>key[i]</c>; null after any error.</summary>
    public ImmutableArray<T>? NonEmptyList<T>(YamlNode node, string key, string expected, string what, Func<YamlNode, string, T?> item) where T : class
    {
        if (Sequence(node, key, expected) is not { } sequence) return null;
        if (sequence.Children.Count == 0)
        {
            Error(sequence, key, $"expected at least one {what}");
            return null;
        }
        var list = sequence.Children.Select((n, i) => item(n, $"{key}[{i}]")).ToList();
        return list.All(a => a is not null) ? [.. list.Select(a => a!)] : null;
    }

    /// <summary>A scalar's text with every <c>${NAME}</c> expanded.</summary>
    public ConfigValue? Scalar(YamlNode node, string key, string expected)
    {
        if (node is not YamlScalarNode { Value: { } written } || NodeText.IsNull(node))
        {
            Error(node, key, $"expected {expected}, got {NodeText.Describe(node)}");
            return null;
        }
        // "\0" in quotes is YAML's NUL: no path, name or command may hold one (Path.GetFullPath throws on it).
        if (written.Contains('\0'))
        {
            Error(node, key, "a NUL character (\\0) is not allowed in a value");
            return null;
        }
        List<string> secrets = [], unset = [];
        string text = EnvironmentReferences.Expand(written, environment, secrets, unset);
        foreach (string name in unset) Error(node, key, $"environment variable {name} is not set");
        return unset.Count == 0 ? new ConfigValue(text, written, secrets) : null;
    }

    public string? Text(YamlNode node, string key, string expected = "a string") => Scalar(node, key, expected)?.Text;

    public int? Int(YamlNode node, string key, int min, int? max = null)
    {
        if (Scalar(node, key, "an integer") is not { } v) return null;
        if (!int.TryParse(v.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
        {
            Fail(node, key, v, $"expected an integer, got '{v.Text}'");
            return null;
        }
        if (n >= min && (max is null || n <= max)) return n;
        Fail(node, key, v, max is null ? $"must be ≥ {min} (got {v.Shown})" : $"must be from {min} to {max} (got {v.Shown})");
        return null;
    }

    /// <summary>YAML's booleans as the core schema writes them: true, True, TRUE, false, False, FALSE.</summary>
    public bool? Bool(YamlNode node, string key)
    {
        if (Scalar(node, key, "true or false") is not { } v) return null;
        if (v.Text is "true" or "True" or "TRUE") return true;
        if (v.Text is "false" or "False" or "FALSE") return false;
        // "yes" and "on" were booleans in YAML 1.1 only; refusing them avoids guessing which one was meant.
        Fail(node, key, v, $"expected true or false, got '{v.Text}'");
        return null;
    }

    /// <summary>A duration; zero is accepted only when <paramref name="zeroAllowed"/>.</summary>
    public TimeSpan? Duration(YamlNode node, string key, bool zeroAllowed)
    {
        if (Scalar(node, key, "a duration such as 200ms, 5s, 2m or 1h") is not { } v) return null;
        string? whyNot = !Durations.TryParse(v.Text, out TimeSpan d, out string parseError) ? parseError
            : d == TimeSpan.Zero && !zeroAllowed ? $"must be > 0 (got {v.Shown})"
            : null;
        if (whyNot is null) return d;
        Fail(node, key, v, whyNot);
        return null;
    }

    /// <summary>A size such as <c>1MB</c> (1024-based); zero is accepted only when <paramref name="zeroAllowed"/>.</summary>
    public long? Size(YamlNode node, string key, bool zeroAllowed)
    {
        if (Scalar(node, key, "a size such as 512kB or 1MB") is not { } v) return null;
        string? whyNot = !Sizes.TryParse(v.Text, out long bytes, out string parseError) ? parseError
            : bytes == 0 && !zeroAllowed ? $"must be > 0 (got {v.Shown})"
            : null;
        if (whyNot is null) return bytes;
        Fail(node, key, v, whyNot);
        return null;
    }

    /// <summary>
    /// A secret: the text (with <c>${NAME}</c> expanded, as everywhere), or the text of the file that a
    /// <c>file:PATH</c> value names, a relative path resolved against the config file's folder. Errors name
    /// the path, never a secret.
    /// </summary>
    public string? Secret(YamlNode node, string key, string expected)
    {
        if (Scalar(node, key, expected) is not { } v) return null;
        if (!FileReferences.IsReference(v.Written)) return v.Text;
        string path = v.Text[FileReferences.Prefix.Length..];
        if (path.Trim().Length == 0)
        {
            Error(node, key, $"expected a file path after '{FileReferences.Prefix}', got an empty value");
            return null;
        }
        string fullPath = ResolvePath(path);
        // A path built from the environment is shown as written, as every value from there is.
        string shown = v.FromEnvironment ? v.Written : fullPath;
        if (FileReferences.Read(fullPath, shown, out string whyNot) is { } text) return text;
        Error(node, key, whyNot);
        return null;
    }

    public HostPort? Address(YamlNode node, string key) => Address(node, key, out _);

    /// <summary>As above; <paramref name="shown"/> is how later messages may name it (as written, if from the environment).</summary>
    public HostPort? Address(YamlNode node, string key, out string shown)
    {
        shown = "";
        if (Scalar(node, key, "host:port") is not { } v) return null;
        if (HostPort.TryParse(v.Text, out HostPort? address, out string whyNot))
        {
            shown = v.FromEnvironment ? v.Written : address.Value.ToString();
            return address;
        }
        Fail(node, key, v, whyNot);
        return null;
    }

    /// <summary>One of <paramref name="choices"/>; <paramref name="later"/> gives a message for planned values.</summary>
    public T? Choice<T>(YamlNode node, string key, IReadOnlyDictionary<string, T> choices, Func<string, string?>? later = null)
        where T : struct
    {
        string list = NodeText.List(choices.Keys);
        if (Scalar(node, key, $"one of {list}") is not { } v) return null;
        if (choices.TryGetValue(v.Text, out T value)) return value;
        Fail(node, key, v, later?.Invoke(v.Text) ?? $"expected one of {list}, got '{v.Text}'");
        return null;
    }

    /// <summary>A file path; a relative one is resolved against the config file's folder.</summary>
    public string? FilePath(YamlNode node, string key) =>
        Scalar(node, key, "a file path") is { } v ? FilePath(node, key, v) : null;

    public string? FilePath(YamlNode node, string key, ConfigValue value)
    {
        if (value.Text.Trim().Length > 0) return ResolvePath(value.Text);
        Fail(node, key, value, "expected a file path, got an empty value");
        return null;
    }

    public string ResolvePath(string path) => Path.GetFullPath(path, baseDirectory);

    /// <summary>Records an error about a value without ever quoting what came from the environment.</summary>
    public void Fail(YamlNode node, string key, ConfigValue value, string message) => Error(node, key, value.Redact(message));
}
