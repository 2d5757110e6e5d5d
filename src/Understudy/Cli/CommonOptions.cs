using System.CommandLine;
using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Cli;

internal static class CommonOptions
{
    public static Option<FileInfo> Config() => new("--config", "-c")
    {
        Description = "the understudy.yaml to use",
        Required = true,
    };

    public static Option<bool> Json() => new("--json") { Description = "print JSON instead of a table" };

    /// <summary>Loads and validates a config, printing every error; null when it is not usable.</summary>
    public static UnderstudySpec? LoadOrReport(FileInfo file)
    {
        ConfigResult result = ConfigLoader.Load(file.ToString());
        if (result.Ok) return result.Spec;
        WriteErrors(Console.Error, file, result.Errors);
        return null;
    }

    /// <summary>Every error as <c>file:line:col key: message</c>, then how many there were.</summary>
    public static void WriteErrors(TextWriter stderr, FileInfo file, IReadOnlyList<ConfigError> errors)
    {
        foreach (ConfigError e in errors) stderr.WriteLine(e.ToString());
        stderr.WriteLine($"{file}: {errors.Count} error{(errors.Count == 1 ? "" : "s")}");
    }
}
