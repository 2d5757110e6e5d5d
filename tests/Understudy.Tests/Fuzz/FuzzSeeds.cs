namespace Understudy.Tests.Fuzz;

/// <summary>Valid files to break: the examples that ship with Understudy and the every-key files beside this one.</summary>
internal static class FuzzSeeds
{
    public static readonly string Root = FindRoot();

    // The cluster example's certificates are made by its own test: here its tls line gives way to plain HTTP, allowed.
    public static IReadOnlyList<string> Configs { get; } = [.. Read(
        "examples/web/understudy.yaml", "examples/postgres/understudy.yaml", "examples/redis/understudy.yaml", "examples/cluster/ctl-a.yaml", "tests/Understudy.Tests/Fuzz/Seeds/config-every-key.yaml")
        .Select(text => System.Text.RegularExpressions.Regex.Replace(text, @"(?m)^  tls: \{.*\}$", "  allow_insecure_http: true"))];

    public static IReadOnlyList<string> Drills { get; } = Read(
        "examples/drills/web-primary-crash.yaml", "examples/drills/rolling-restart.yaml", "examples/drills/random-member-killer.yaml",
        "examples/postgres/crash-drill.yaml", "tests/Understudy.Tests/Fuzz/Seeds/drill-every-key.yaml");

    public static IReadOnlyList<string> Guards { get; } = Read("examples/cluster/guard-pg1.yaml", "tests/Understudy.Tests/Fuzz/Seeds/guard-command.yaml");

    /// <summary>What <c>${NAME}</c> reads: every name is set, each to its own secret (tokens must differ), but those with UNSET in them.</summary>
    public static string? Environment(string name) => name.Contains("UNSET", StringComparison.Ordinal) ? null : $"fuzz-secret-{name}-0123456789";

    private static string[] Read(params string[] paths) => [.. paths.Select(p => File.ReadAllText(Path.Combine(Root, p)))];

    private static string FindRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        return root;
    }
}
