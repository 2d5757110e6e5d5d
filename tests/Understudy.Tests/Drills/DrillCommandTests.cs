using System.Net;
using System.Net.Sockets;
using Understudy.Cli;
using Understudy.Tests.Testing;
using Understudy.Tests.Fuzz;

namespace Understudy.Tests.Drills;

/// <summary><c>drill validate</c> and <c>drill run --dry-run</c>, run in-process with their own output writers.</summary>
public sealed class DrillCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("understudy-drill-cmd-").FullName;

    private static readonly string WebExample = Path.Combine(FuzzSeeds.Root, "examples", "drills", "web-primary-crash.yaml");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CommandRun.RunAsync(DrillCommand.Create(), args);

    private async Task<string> Write(string yaml)
    {
        string path = Path.Combine(_root, "drill.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    [Fact]
    public async Task Validate_BadFile_ExitsTwoWithEveryErrorAndACount()
    {
        string path = await Write("""
            name: broken
            probes: []
            faults:
              - kill_process: { pid: -3 }
            """);

        var (exit, stdout, stderr) = await Run("validate", path);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Equal(
        [
            $"{path}:2:9 probes: at least one probe is required: a drill measures what its probes see",
            $"{path}:4:26 faults[0].kill_process.pid: must be ≥ 1 (got -3)",
            $"{path}: 2 errors",
        ], stderr.TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsTwoWithoutAStackTrace()
    {
        string path = Path.Combine(_root, "no-such-drill.yaml");

        var (exit, _, stderr) = await Run("validate", path);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.StartsWith(path, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.EndsWith($"{path}: 1 error", stderr.TrimEnd());
    }

    [Fact]
    public async Task Validate_Example_ExitsZeroWithOneLine()
    {
        var (exit, stdout, stderr) = await Run("validate", WebExample);

        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal(
            $"{WebExample}: valid (drill web primary crash on service web: 4 steps, 2 probes, targets RTO ≤ 5 s (+20 %), RPO ≤ 0 lost writes, availability ≥ 99 %, stop conditions max_outage)",
            stdout.TrimEnd());
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task DryRun_Example_PrintsEveryStepAndWritesNoReport()
    {
        string reports = Path.Combine(_root, "reports");

        var (exit, stdout, stderr) = await Run("run", WebExample, "--dry-run", "--out", reports);

        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal("", stderr);
        string[] lines = stdout.Split(Environment.NewLine);
        Assert.Contains("  1. kill_process member web-a (SIGKILL): send SIGKILL to member web-a's process (its pidfile from the controller's config); expects the process gets SIGKILL", lines);
        Assert.Contains(lines, l => l.StartsWith("  1. alert_received within 30 s", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  1. exec echo restart web-a by hand", StringComparison.Ordinal));
        Assert.Contains("  max_outage: a probe fails for 120 s without a break (from the fault on)", lines);
        Assert.False(Directory.Exists(reports));
    }

    [Fact]
    public async Task DryRun_NeverConnectsToTheControllerOrTheProbeTargets()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string path = await Write($$"""
            name: local
            service: web
            controller: http://127.0.0.1:{{port}}
            probes: [ { name: port, tcp: { address: "127.0.0.1:{{port}}" } } ]
            faults:
              - kill_process: { member: web-a }
            """);

        var (exit, stdout, _) = await Run("run", path, "--dry-run", "--out", Path.Combine(_root, "reports"));

        Assert.Equal(CliApp.Ok, exit);
        Assert.Contains($"service: web, controller http://127.0.0.1:{port}/", stdout);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task DryRun_Production_StillNeedsConfirmProduction()
    {
        string path = await Write(File.ReadAllText(WebExample).Replace("environment: staging", "environment: production"));

        var (refused, stdout, stderr) = await Run("run", path, "--dry-run");
        var (confirmed, plan, _) = await Run("run", path, "--dry-run", "--confirm-production");

        Assert.Equal(CliApp.BadInput, refused);
        Assert.Equal("", stdout);
        Assert.Equal($"{path}: environment is production; run it with --confirm-production if you mean it", stderr.TrimEnd());
        Assert.Equal(CliApp.Ok, confirmed);
        Assert.Contains("environment: production", plan);
    }
}
