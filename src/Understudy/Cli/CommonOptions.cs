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
        foreach (ConfigError e in result.Errors) Console.Error.WriteLine(e.ToString());
        Console.Error.WriteLine($"{file}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
        return null;
    }
}
