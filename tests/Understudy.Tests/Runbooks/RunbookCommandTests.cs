using Understudy.Cli;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Runbooks;

public sealed class RunbookCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("understudy-runbook-cmd-").FullName;

    private const string Config = """
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
              - { name: web-b, address: 127.0.0.1:8082 }
            primary: web-a
          api:
            kind: tcp
            members:
              - { name: api-a, address: 127.0.0.1:9081 }
              - { name: api-b, address: 127.0.0.1:9082 }
            primary: api-a
        """;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Runs <c>runbook ARGS -c CONFIG</c> as `understudy runbook` would, with its own output writers.</summary>
    private async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        string config = Path.Combine(_root, "understudy.yaml");
        await File.WriteAllTextAsync(config, Config);
        return await CommandRun.RunAsync(RunbookCommand.Create(), [.. args, "-c", config]);
    }

    [Fact]
    public async Task Runbook_KnownService_PrintsItsRunbook()
    {
        var (exit, stdout, stderr) = await Run("api");

        Assert.Equal(CliApp.Ok, exit);
        Assert.StartsWith("# Runbook: failover of `api`\n", stdout);
        Assert.Contains("nc -vz 127.0.0.1 9082   # api-b: expect a connect", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Runbook_UnknownService_ExitsTwoNamingTheFileAndItsServices()
    {
        var (exit, stdout, stderr) = await Run("orders-db");

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"understudy runbook: {Path.Combine(_root, "understudy.yaml")} has no service 'orders-db' (it has web, api)", stderr.TrimEnd());
    }

    [Fact]
    public async Task Runbook_Output_WritesTheSameRunbookToTheFileAndPrintsItsPath()
    {
        string target = Path.Combine(_root, "web.md");
        var (_, printed, _) = await Run("web");

        var (exit, stdout, stderr) = await Run("web", "-o", target);

        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal(target, stdout.Trim());
        Assert.Equal("", stderr);
        Assert.Equal(printed, await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task Runbook_UnwritableOutput_ExitsOneWithOneLine()
    {
        string target = Path.Combine(_root, "no-such-folder", "web.md");

        var (exit, stdout, stderr) = await Run("web", "-o", target);

        Assert.Equal(CliApp.Failed, exit);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith($"understudy runbook: cannot write {target}: ", stderr);
    }
}
