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

    public static async Task<WebPair> StartAsync(string kind = "http", string failover = "{ mode: automatic, cooldown: 0s }", string hooks = "{}", string hold = "5s")
    {
        var pair = new WebPair();
        pair.A = await SampleAppProcess.StartAsync("web-a", pair.PortA, Eventually.Deadline);
        pair.B = await SampleAppProcess.StartAsync("web-b", pair.PortB, Eventually.Deadline);
        string check = kind == "http" ? "{ path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }" : "{ interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }";
        await File.WriteAllTextAsync(pair.Config, $"""
            controller:
              api: 127.0.0.1:{pair.ApiPort}
              journal: journal.db
            services:
              web:
                kind: {kind}
                members:
                  - {'{'} name: web-a, address: 127.0.0.1:{pair.PortA} {'}'}
                  - {'{'} name: web-b, address: 127.0.0.1:{pair.PortB} {'}'}
                primary: web-a
                check: {check}
                failover: {failover}
                traffic:
                  proxy: {'{'} listen: 127.0.0.1:{pair.ProxyPort}, hold: {hold} {'}'}
                hooks: {hooks}
            """);
        return pair;
    }

    public async Task RestartAAsync() => A = await SampleAppProcess.StartAsync("web-a", PortA, Eventually.Deadline);

    public ValueTask DisposeAsync()
    {
        A.Dispose();
        B.Dispose();
        Dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
