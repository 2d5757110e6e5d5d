using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// The flow every YAML file of ours shares, the config and drill files alike: read the text from disk, find
/// the root mapping, hand it to the file's section readers and collect every error in one pass. Only the
/// root reader and the words that describe the file differ between them.
/// </summary>
internal static class YamlFile
{
    /// <summary>What a file of one kind is called in messages about the file as a whole.</summary>
    /// <param name="Kind">"config" or "drill": "no config file given".</param>
    /// <param name="Example">A file name to suggest when given a folder: understudy.yaml.</param>
    /// <param name="Root">What the root should be: "a mapping with controller and services".</param>
    public sealed record Shape(string Kind, string Example, string Root);

    /// <summary>
    /// Validates <paramref name="yamlText"/>; <paramref name="read"/> turns the root mapping into a spec, or null
    /// after recording why. The spec comes back only when the whole file has no error at all.
    /// </summary>
    public static (T? Spec, IReadOnlyList<ConfigError> Errors) Parse<T>(
        string yamlText, string fileName, string baseDirectory, Func<string, string?> environment, Shape shape,
        Func<ConfigReader, YamlMappingNode, T?> read) where T : class
    {
        var errors = new ConfigErrors(fileName);
        var reader = new ConfigReader(errors, environment, Path.GetFullPath(baseDirectory));
        T? spec = YamlDocumentReader.ReadRoot(yamlText, errors, shape.Root) is { } root ? read(reader, root) : null;
        return spec is not null && errors.Count == 0 ? (spec, []) : (null, errors.InFileOrder());
    }

    /// <summary>The folder relative paths in the file at <paramref name="path"/> resolve against.</summary>
    public static string FolderOf(string path) =>
        Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();

    /// <summary>The file's text, or an error about the whole file (line and column 0) and no text.</summary>
    public static ConfigError? ReadText(string path, Shape shape, out string text)
    {
        string? whyNot = Read(path, shape, out text);
        return whyNot is null ? null : new ConfigError(path, 0, 0, "", whyNot);
    }

    /// <summary>A config or drill file larger than this is refused unread (a real one is a few KiB).</summary>
    private const long MaxBytes = 4 * 1024 * 1024;

    // Expected failures become one message; the exception text is kept only where it adds the OS's reason.
    private static string? Read(string path, Shape shape, out string text)
    {
        text = "";
        if (string.IsNullOrWhiteSpace(path)) return $"no {shape.Kind} file given";
        if (Directory.Exists(path)) return $"this is a folder; expected a YAML file such as {Path.Combine(path, shape.Example)}";
        if (!new Mono.Unix.UnixFileInfo(path).Exists) return $"no such file (looked for {Path.GetFullPath(path)})";
        if (SmallFile.Read(path, MaxBytes, "the file", out string whyNot) is not { } read) return whyNot;
        if (read.IndexOf('\0') is int nul and >= 0)
            return $"the file holds a NUL byte (line {read.AsSpan(0, nul).Count('\n') + 1}); a YAML file is text";
        text = read;
        return null;
    }
}
