namespace Understudy.Config;

/// <summary>
/// Reads <c>understudy.yaml</c> into an <see cref="Understudy.Core.Topology.UnderstudySpec"/> with every default
/// filled in, or reports every error in the file at once (STYLE.md §6).
/// </summary>
public static class ConfigLoader
{
    /// <summary>Reads <paramref name="path"/>; errors name the file exactly as given, so they match the command line.</summary>
    public static ConfigResult Load(string path)
    {
        if (Read(path, out string text) is { } whyNot)
            return new ConfigResult(null, [new ConfigError(path, 0, 0, "", whyNot)]);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        return Parse(text, path, folder);
    }

    /// <summary>Validates YAML text; <paramref name="baseDirectory"/> resolves relative paths in it.</summary>
    public static ConfigResult Parse(string yamlText, string fileName, string baseDirectory) =>
        Parse(yamlText, fileName, baseDirectory, Environment.GetEnvironmentVariable);

    /// <summary>As above, with the environment that <c>${NAME}</c> references read from, for tests.</summary>
    internal static ConfigResult Parse(string yamlText, string fileName, string baseDirectory, Func<string, string?> environment)
    {
        var errors = new ConfigErrors(fileName);
        var reader = new ConfigReader(errors, environment, Path.GetFullPath(baseDirectory));
        var spec = YamlDocumentReader.ReadRoot(yamlText, errors) is { } root ? RootSection.Read(reader, root) : null;
        return spec is not null && errors.Count == 0 ? new ConfigResult(spec, []) : new ConfigResult(null, errors.InFileOrder());
    }

    // Expected failures become one message; the exception text is kept only where it adds the OS's reason.
    private static string? Read(string path, out string text)
    {
        text = "";
        if (string.IsNullOrWhiteSpace(path)) return "no config file given";
        if (Directory.Exists(path)) return $"this is a folder; expected a YAML file such as {Path.Combine(path, "understudy.yaml")}";
        try
        {
            text = File.ReadAllText(path);
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"no such file (looked for {Path.GetFullPath(path)})";
        }
        catch (UnauthorizedAccessException)
        {
            return "cannot read the file: permission denied";
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            return $"cannot read the file: {e.Message}";
        }
    }
}
