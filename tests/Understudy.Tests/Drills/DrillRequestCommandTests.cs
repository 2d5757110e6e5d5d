using Understudy.Cli;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Drills;

/// <summary><c>drill request</c>'s refusals before it asks any controller.</summary>
public sealed class DrillRequestCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("understudy-drill-request-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<string> Write(string environment)
    {
        string path = Path.Combine(_root, "drill.yaml");
        await File.WriteAllTextAsync(path, $"""
            name: prod crash
            environment: {environment}
            service: web
            controller: http://127.0.0.1:9
            probes: [ {"{"} name: web, http: {"{"} url: "http://127.0.0.1:9000/" {"}"} {"}"} ]
            faults:
              - wait: 1s
            """);
        return path;
    }

    [Fact]
    public async Task Request_WithoutReason_ExitsTwoSayingWhy()
    {
        string path = await Write("production");

        var (exit, _, stderr) = await CommandRun.RunAsync(DrillCommand.Create(), "request", path);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("understudy drill request: --reason is required: say why the drill should run in production (it is journaled and shown to approvers)", stderr.TrimEnd());
    }

    [Fact]
    public async Task Request_StagingDrill_NeedsNoRequest()
    {
        string path = await Write("staging");

        var (exit, _, stderr) = await CommandRun.RunAsync(DrillCommand.Create(), "request", path, "--reason", "why not");

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal($"understudy drill request: {path}: only a drill with environment: production and a controller needs a drill request", stderr.TrimEnd());
    }

    [Fact]
    public async Task Run_ProductionDrillWithoutAnswer_ExitsTwoAndTouchesNothing()
    {
        // Nothing listens on port 9: an approval that cannot be confirmed refuses the drill.
        string path = await Write("production");

        var (exit, _, stderr) = await CommandRun.RunAsync(DrillCommand.Create(), "run", path, "--confirm-production", "--out", Path.Combine(_root, "reports"));

        Assert.Equal(CliApp.BadInput, exit);
        Assert.StartsWith($"{path}: environment is production and its approval could not be confirmed: cannot reach the controller at http://127.0.0.1:9/", stderr);
        Assert.False(Directory.Exists(Path.Combine(_root, "reports")));
    }
}
