using System.Text.RegularExpressions;
using Understudy.Demo;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Sites;

/// <summary>
/// What every site failover test has: services of sample apps with an east and a west member, a config with two
/// approvers (alice requests, bob approves), the controller on it, and the CLI that asks for the site failover.
/// </summary>
public partial class SiteSetup : IDisposable
{
    public const string AliceToken = "alice-0123456789abcdef", BobToken = "bob-0123456789abcdef01";
    private readonly Dictionary<string, string> _environment = new() { ["ALICE_TOKEN"] = AliceToken, ["BOB_TOKEN"] = BobToken };
    private readonly List<SampleAppProcess> _apps = [];

    public TempDir Dir { get; } = new();
    public int ApiPort { get; } = FreePort.Next();
    public string Config => Dir.File("understudy.yaml");

    /// <summary>
    /// Starts the sample apps NAME-a (east, the primary) and NAME-b (west, with <paramref name="westArgs"/>); the
    /// service's config entry, an http service behind the proxy on <paramref name="proxy"/>.
    /// </summary>
    public async Task<string> StartAppServiceAsync(string name, int proxy, string failover, string hooks = "{}", params string[] westArgs)
    {
        int a = FreePort.Next(), b = FreePort.Next();
        _apps.Add(await SampleAppProcess.StartAsync($"{name}-a", a, Eventually.Deadline));
        _apps.Add(await SampleAppProcess.StartAsync($"{name}-b", b, Eventually.Deadline, westArgs));
        return $$"""
              {{name}}:
                kind: http
                members:
                  - { name: {{name}}-a, address: 127.0.0.1:{{a}}, site: east }
                  - { name: {{name}}-b, address: 127.0.0.1:{{b}}, site: west }
                primary: {{name}}-a
                check: { path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }
                failover: {{failover}}
                traffic:
                  proxy: { listen: 127.0.0.1:{{proxy}}, hold: 5s }
                hooks: {{hooks}}
            """;
    }

    public SampleAppProcess App(string name) => _apps.Single(a => a.Name == name);

    /// <param name="services">Each service's entry, indented by two spaces.</param>
    /// <param name="sites">The entries under <c>sites:</c>, indented by two spaces.</param>
    public Task WriteConfigAsync(IEnumerable<string> services, string sites) => File.WriteAllTextAsync(Config, $$"""
        controller:
          api: 127.0.0.1:{{ApiPort}}
          journal: journal.db
          auth:
            tokens:
              - { name: alice, role: approver, token: "${ALICE_TOKEN}" }   # an approver, so that approving her own operation is refused as hers, not by role
              - { name: bob, role: approver, token: "${BOB_TOKEN}" }
        services:
        {{string.Join("\n", services)}}
        sites:
        {{sites}}
        """);

    public async Task<ControllerProcess> StartControllerAsync()
    {
        var c = await ControllerProcess.StartAsync(Config, ApiPort, AliceToken, _environment);
        try
        {
            await Eventually.TrueAsync(async () => (await c.TryStatusAsync())?.Services.All(s => s.Routable == s.Primary && s.Members.All(m => m.Health == "up")) == true,
                "every member up and every primary routable");
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    public Task<CliRunner.Result> CliAsync(string token, params string[] args) =>
        CliRunner.RunAsync(new Dictionary<string, string> { ["UNDERSTUDY_TOKEN"] = token }, [.. args, "--api", $"http://127.0.0.1:{ApiPort}"]);

    /// <summary>Alice asks for the failover of site east; its id, from what the CLI printed.</summary>
    public async Task<string> RequestAsync()
    {
        CliRunner.Result requested = await CliAsync(AliceToken, "failover", "--site", "east", "--reason", "region drill");
        Assert.True(requested.ExitCode == 0, requested.Out + requested.Err);
        Assert.Contains("awaiting_approval", requested.Out);
        return OperationId().Match(requested.Out).Value;
    }

    public void Dispose()
    {
        foreach (SampleAppProcess app in _apps) app.Dispose();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [GeneratedRegex(@"\bs-[0-9a-f]{8}\b")]
    private static partial Regex OperationId();
}
