using Understudy.Api;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Redis;

namespace Understudy.IntegrationTests.Redis;

/// <summary>Real redis-servers r1 (primary) and replicas r2…, with an Understudy controller and its proxy in front: service <c>cache</c>.</summary>
public sealed class RedisControlled : IAsyncDisposable
{
    private readonly TempDir _dir;

    private RedisControlled(TempDir dir, IReadOnlyList<RedisServer> servers, ControllerProcess controller, int proxyPort, int apiPort, string config)
    {
        _dir = dir;
        Servers = servers;
        Controller = controller;
        ProxyPort = proxyPort;
        ApiPort = apiPort;
        Config = config;
    }

    public IReadOnlyList<RedisServer> Servers { get; }
    public ControllerProcess Controller { get; private set; }
    public int ProxyPort { get; }
    public int ApiPort { get; }
    public string Config { get; }

    public RedisServer Server(string name) => Servers.Single(s => s.Name == name);

    /// <param name="failover">The service's <c>failover:</c> mapping's extra keys, e.g. <c>rejoin: auto</c>.</param>
    public static async Task<RedisControlled> StartAsync(int replicas = 2, string failover = "",
        string check = "{ interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }")
    {
        var dir = new TempDir();
        var servers = new List<RedisServer>();
        try
        {
            RedisServer primary = await RedisServer.StartAsync("r1");
            servers.Add(primary);
            for (int i = 0; i < replicas; i++) servers.Add(await RedisServer.StartAsync($"r{i + 2}", primary));
            foreach (RedisServer replica in servers.Skip(1)) await replica.WaitCaughtUpAsync(primary);

            int proxy = FreePort.Next(), api = FreePort.Next();
            string config = dir.File("understudy.yaml");
            string members = string.Join("\n", servers.Select(s => $"      - {{ name: {s.Name}, address: {s.Address} }}"));
            await File.WriteAllTextAsync(config, $"""
                controller: {'{'} api: 127.0.0.1:{api}, journal: journal.db {'}'}
                services:
                  cache:
                    kind: redis
                    members:
                {members}
                    check: {check}
                    failover: {'{'} mode: automatic, cooldown: 0s{(failover.Length > 0 ? ", " + failover : "")} {'}'}
                    traffic:
                      proxy: {'{'} listen: 127.0.0.1:{proxy}, hold: 10s {'}'}
                """);
            var controller = await ControllerProcess.StartAsync(config, api);
            var redis = new RedisControlled(dir, servers, controller, proxy, api, config);
            await Eventually.TrueAsync(async () => await redis.ServiceAsync() is { Routable: "r1" } s && s.Members.All(m => m.Health == "up"),
                "the controller to route to r1 with every member up");
            return redis;
        }
        catch
        {
            foreach (RedisServer s in servers) await s.DisposeAsync();
            dir.Dispose();
            throw;
        }
    }

    public Task<ServiceView> ServiceAsync() => Controller.ServiceAsync("cache");

    public async ValueTask DisposeAsync()
    {
        await Controller.DisposeAsync();
        foreach (RedisServer s in Servers) await s.DisposeAsync();
        _dir.Dispose();
    }
}
