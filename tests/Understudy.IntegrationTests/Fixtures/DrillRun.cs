using Understudy.Core.Drills;
using Understudy.Drills.Reports;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>Writes a drill file, runs <c>understudy drill run</c> as a real process, and reads its report back.</summary>
public static class DrillRun
{
    public sealed record Result(CliRunner.Result Cli, DrillReport? Report, IReadOnlyList<(string Probe, ProbeSample Sample)> Samples, string? Folder);

    public static Task<Result> RunAsync(TempDir dir, string drillYaml, params string[] extraArgs) => RunAsAsync(null, dir, drillYaml, extraArgs);

    /// <param name="token">The caller's API token (UNDERSTUDY_TOKEN), for a controller with auth.</param>
    public static async Task<Result> RunAsAsync(string? token, TempDir dir, string drillYaml, params string[] extraArgs)
    {
        string file = dir.File("drill.yaml"), output = dir.File("reports");
        await File.WriteAllTextAsync(file, drillYaml);
        var environment = token is null ? null : new Dictionary<string, string> { ["UNDERSTUDY_TOKEN"] = token };
        var cli = await CliRunner.RunAsync(environment, ["drill", "run", file, "--out", output, .. extraArgs]);
        string? folder = Directory.Exists(output) ? Directory.GetDirectories(output).SingleOrDefault() : null;
        if (folder is null) return new Result(cli, null, [], null);
        var (report, samples) = await ReportFolder.ReadAsync(folder);
        return new Result(cli, report, samples, folder);
    }

    /// <summary>A drill against a <see cref="WebPair"/>'s controller and proxy.</summary>
    public static string Yaml(WebPair pair, string faults, string probes = "", string targets = "{ rto: 5s, rpo: 0 }",
        string steady = "{ duration: 1s, max_error_rate: 0 }", string recovery = "{ timeout: 20s, stable_for: 1s }", string extra = "") => $$"""
        name: kill the primary
        service: web
        controller: http://127.0.0.1:{{pair.ApiPort}}
        targets: {{targets}}
        probes:
          - { name: web, http: { url: "{{pair.ProxyUrl}}", interval: 20ms, timeout: 2s } }
        {{probes}}
        steady_state: {{steady}}
        faults:
        {{faults}}
        recovery: {{recovery}}
        {{extra}}
        """;
}
