using Understudy.Demo;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>Two sample apps and a controller config in a temp folder: the common two-member setup.</summary>
public sealed class WebPair : IAsyncDisposable
{
    public TempDir Dir { get; } = new();
    public int PortA { get; } = FreePort.Next();
    public int PortB { get; } = FreePort.Next();
    public int ProxyPort { get; } = FreePort.Next();
    public int ApiPort { get; } = FreePort.Next();
    public SampleAppProcess A { get; private set; } = null!;
    public SampleAppProcess B { get; private set; } = null!;
    public string Config => Dir.File("understudy.yaml");
    public Uri ProxyUrl => new($"http://127.0.0.1:{ProxyPort}/");

    /// <summary>The sample apps' replication to each other (sync or async), or none.</summary>
    public string? Replication { get; private init; }
    public string AsyncDelay { get; private init; } = "50ms";

    /// <param name="topLevel">YAML appended at the top level of the config, e.g. <c>alerts:</c>.</param>
    /// <param name="trafficExtra">One line added under <c>traffic:</c> beside the proxy, e.g. <c>hooks: [...]</c>.</param>
    public static async Task<WebPair> StartAsync(string kind = "http", string failover = "{ mode: automatic, cooldown: 0s }", string hooks = "{}", string hold = "5s",
        string? replication = null, string asyncDelay = "50ms", string controllerExtra = "", string targets = "{}", string topLevel = "", string? check = null,
        string journal = "journal.db", string serviceExtra = "", string trafficExtra = "", (string A, string B)? sites = null)
    {
        var pair = new WebPair { Replication = replication, AsyncDelay = asyncDelay };
        Directory.CreateDirectory(pair.Dir.File("run"));
        pair.A = await pair.StartAppAsync("web-a", pair.PortA, pair.PortB);
        pair.B = await pair.StartAppAsync("web-b", pair.PortB, pair.PortA);
        check ??= kind == "http" ? "{ path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }" : "{ interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }";
        await File.WriteAllTextAsync(pair.Config, $"""
            controller:
              api: 127.0.0.1:{pair.ApiPort}
              journal: {journal}
              {controllerExtra}
            services:
              web:
                kind: {kind}
                members:
                  - {'{'} name: web-a, address: 127.0.0.1:{pair.PortA}, pidfile: run/web-a.pid{(sites is { } a ? $", site: {a.A}" : "")} {'}'}
                  - {'{'} name: web-b, address: 127.0.0.1:{pair.PortB}, pidfile: run/web-b.pid{(sites is { } b ? $", site: {b.B}" : "")} {'}'}
                primary: web-a
                check: {check}
                failover: {failover}
                traffic:
                  proxy: {'{'} listen: 127.0.0.1:{pair.ProxyPort}, hold: {hold} {'}'}
                  {trafficExtra}
                hooks: {hooks}
                targets: {targets}
                {serviceExtra}
            {topLevel}
            """);
        return pair;
    }

    /// <summary>The controller for this pair, healthy; if it cannot start, the pair is stopped too, so no sample app outlives the test.</summary>
    public async Task<ControllerProcess> StartControllerAsync(string? token = null, IReadOnlyDictionary<string, string>? environment = null, string? caCert = null)
    {
        try
        {
            return await ControllerProcess.StartHealthyAsync(this, token, environment, caCert);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task RestartAAsync() => A = await StartAppAsync("web-a", PortA, PortB);

    private Task<SampleAppProcess> StartAppAsync(string name, int port, int peer) => SampleAppProcess.StartAsync(name, port, Eventually.Deadline,
        Replication is null
            ? ["--pidfile", Dir.File($"run/{name}.pid")]
            : ["--pidfile", Dir.File($"run/{name}.pid"), "--peer", $"127.0.0.1:{peer}", "--replication", Replication, "--async-delay", AsyncDelay]);

    public ValueTask DisposeAsync()
    {
        A.Dispose();
        B.Dispose();
        Dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
