using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Drills.Loading;
using Understudy.Drills.Network;

namespace Understudy.Drills;

/// <summary>
/// Reads a drill file into a <see cref="DrillSpec"/> with every default filled in, or reports every error in the
/// file at once, in the config file's format (<c>drill.yaml:14:7 probes[0].http.interval: must be ≥ 10ms (got 5ms)</c>).
/// </summary>
public static class DrillLoader
{
    /// <summary>Reads <paramref name="path"/>; errors name the file exactly as given, so they match the command line.</summary>
    public static DrillResult Load(string path)
    {
        if (YamlFile.ReadText(path, DrillRoot.Shape, out string text) is { } unreadable) return new DrillResult(null, [unreadable]);
        return Parse(text, path, YamlFile.FolderOf(path), Path.GetFullPath(path), Environment.GetEnvironmentVariable, NftHost.Refusal);
    }

    /// <summary>
    /// Validates YAML text; <paramref name="baseDirectory"/> resolves relative paths in it, and a relative
    /// <paramref name="fileName"/> is taken to be in that folder for <see cref="DrillSpec.SourcePath"/>.
    /// </summary>
    public static DrillResult Parse(string yamlText, string fileName, string baseDirectory) =>
        Parse(yamlText, fileName, baseDirectory, Environment.GetEnvironmentVariable, null);

    /// <summary>
    /// As above, with the environment that <c>${NAME}</c> references read from and, for tests, whether this host
    /// can apply nft faults (<see cref="NftHost.Refusal"/> when not given).
    /// </summary>
    internal static DrillResult Parse(string yamlText, string fileName, string baseDirectory, Func<string, string?> environment,
        Func<string?>? networkRefusal = null) =>
        Parse(yamlText, fileName, baseDirectory, Path.GetFullPath(fileName, Path.GetFullPath(baseDirectory)), environment, networkRefusal ?? NftHost.Refusal);

    // Load knows the real full path; Parse can only place the name in the folder it was given.
    private static DrillResult Parse(string yamlText, string fileName, string baseDirectory, string sourcePath, Func<string, string?> environment,
        Func<string?> networkRefusal)
    {
        var (spec, errors) = YamlFile.Parse(yamlText, fileName, baseDirectory, environment, DrillRoot.Shape,
            (reader, root) => DrillRoot.Read(reader, root, yamlText, sourcePath, networkRefusal));
        return new DrillResult(spec, errors);
    }
}

/// <summary>Either a validated drill with no errors, or every error found in one pass and no drill.</summary>
public sealed record DrillResult(DrillSpec? Spec, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Spec is not null && Errors.Count == 0;
}
