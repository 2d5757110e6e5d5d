using Understudy.Core.Guard;

namespace Understudy.Config;

/// <summary>Either a validated guard file, or every error in it (file:line:column key: message) and no spec.</summary>
public sealed record GuardConfigResult(GuardSpec? Spec, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Spec is not null && Errors.Count == 0;
}

/// <summary>Reads <c>guard.yaml</c> as <see cref="ConfigLoader"/> reads <c>understudy.yaml</c>: every error at once, with its place.</summary>
public static class GuardConfigLoader
{
    private static readonly YamlFile.Shape Shape = new("guard", "guard.yaml", "a mapping with member, service and coordination");

    public static GuardConfigResult Load(string path)
    {
        if (YamlFile.ReadText(path, Shape, out string text) is { } unreadable) return new GuardConfigResult(null, [unreadable]);
        return Parse(text, path, YamlFile.FolderOf(path), Environment.GetEnvironmentVariable);
    }

    internal static GuardConfigResult Parse(string yamlText, string fileName, string baseDirectory, Func<string, string?> environment)
    {
        var (spec, errors) = YamlFile.Parse(yamlText, fileName, baseDirectory, environment, Shape, GuardSection.Read);
        return new GuardConfigResult(spec, errors);
    }
}
