namespace Understudy.Config;

/// <summary>
/// Reads <c>understudy.yaml</c> into an <see cref="Understudy.Core.Topology.UnderstudySpec"/> with every default
/// filled in, or reports every error in the file at once (STYLE.md §6).
/// </summary>
public static class ConfigLoader
{
    private static readonly YamlFile.Shape Shape = new("config", "understudy.yaml", "a mapping with controller and services");

    /// <summary>Reads <paramref name="path"/>; errors name the file exactly as given, so they match the command line.</summary>
    public static ConfigResult Load(string path)
    {
        if (YamlFile.ReadText(path, Shape, out string text) is { } unreadable) return new ConfigResult(null, [unreadable]);
        return Parse(text, path, YamlFile.FolderOf(path));
    }

    /// <summary>Validates YAML text; <paramref name="baseDirectory"/> resolves relative paths in it.</summary>
    public static ConfigResult Parse(string yamlText, string fileName, string baseDirectory) =>
        Parse(yamlText, fileName, baseDirectory, Environment.GetEnvironmentVariable);

    /// <summary>As above, with the environment that <c>${NAME}</c> references read from, for tests.</summary>
    internal static ConfigResult Parse(string yamlText, string fileName, string baseDirectory, Func<string, string?> environment)
    {
        var (spec, errors) = YamlFile.Parse(yamlText, fileName, baseDirectory, environment, Shape, RootSection.Read);
        return new ConfigResult(spec, errors);
    }
}
