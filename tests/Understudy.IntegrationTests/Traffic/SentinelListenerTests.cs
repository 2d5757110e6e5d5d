using System.Net;
using StackExchange.Redis;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Redis;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>
/// traffic.sentinel with a real Sentinel-aware client (StackExchange.Redis), real redis-server processes and
/// <c>understudy serve</c> as a process: the client finds the primary through Understudy and follows its failover by itself.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class SentinelListenerTests
{
    /// <summary>How long a failover plus the client's reconnect may take: generous, this is a bound, not a wait.</summary>
    private static readonly TimeSpan Follow = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AnswerMember_ClientFollowsTheFailoverToTheNewPrimary()
    {
        await using var r1 = await RedisServer.StartAsync("r1");
        await using var r2 = await RedisServer.StartAsync("r2", r1);
        await r2.WaitCaughtUpAsync(r1);
        using var dir = new TempDir();
        int sentinelPort = FreePort.Next();
        var (config, apiPort) = Config(dir, r1, r2, $"sentinel: {{ listen: 127.0.0.1:{sentinelPort}, name: mymaster, answer: member }}");
        await using var controller = await ControllerProcess.StartAsync(config, apiPort);
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("cache")).Members.All(m => m.Health == "up"), "both members up");

        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(ClientOptions(sentinelPort));
        IDatabase db = client.GetDatabase();
        Assert.True(await db.StringSetAsync("before", "1"));
        Assert.Equal("1", await r1.CommandAsync("GET", "before"));
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, r1.Port), client.GetEndPoints());

        await r1.KillAsync();
        await r2.CommandAsync("REPLICAOF", "NO", "ONE"); // kind tcp: Understudy moves traffic, it does not promote

        // Nothing tells the client but the listener: it must end up writing to r2 by itself.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return await db.StringSetAsync("after", "2") && await r2.CommandAsync("GET", "after") == "2";
            }
            catch (RedisException) { return false; }
        }, "the client to write to r2", Follow);
        Assert.Equal("1", await db.StringGetAsync("before")); // replicated before the crash, read from r2 now
        Assert.Equal("r2", (await controller.ServiceAsync("cache")).Primary);
    }

    [Fact]
    public async Task AnswerProxy_ClientIsHandedTheProxyAndKeepsWritingThroughIt()
    {
        await using var r1 = await RedisServer.StartAsync("r1");
        await using var r2 = await RedisServer.StartAsync("r2", r1);
        await r2.WaitCaughtUpAsync(r1);
        using var dir = new TempDir();
        int sentinelPort = FreePort.Next(), proxyPort = FreePort.Next();
        var (config, apiPort) = Config(dir, r1, r2,
            $"proxy: {{ listen: 127.0.0.1:{proxyPort}, hold: 10s }}\n      sentinel: {{ listen: 127.0.0.1:{sentinelPort}, name: mymaster }}");
        await using var controller = await ControllerProcess.StartAsync(config, apiPort);
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("cache")).Members.All(m => m.Health == "up"), "both members up");

        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(ClientOptions(sentinelPort));
        IDatabase db = client.GetDatabase();
        Assert.True(await db.StringSetAsync("before", "1"));
        Assert.Equal("1", await r1.CommandAsync("GET", "before"));
        var proxy = new IPEndPoint(IPAddress.Loopback, proxyPort);
        Assert.Equal([proxy], client.GetEndPoints()); // answer: proxy lists no replicas: reads go through the proxy too

        await r1.KillAsync();
        await r2.CommandAsync("REPLICAOF", "NO", "ONE");

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return await db.StringSetAsync("after", "2") && await r2.CommandAsync("GET", "after") == "2";
            }
            catch (RedisException) { return false; }
        }, "the client to write to r2 through the proxy", Follow);
        Assert.Equal([proxy], client.GetEndPoints());
    }

    private static ConfigurationOptions ClientOptions(int sentinelPort) => new()
    {
        EndPoints = { { IPAddress.Loopback, sentinelPort } },
        ServiceName = "mymaster",
        AllowAdmin = true,
        AbortOnConnectFail = false,
        ConnectTimeout = 5000,
        SyncTimeout = 5000,
        AsyncTimeout = 5000,
    };

    private static (string Config, int ApiPort) Config(TempDir dir, RedisServer r1, RedisServer r2, string traffic)
    {
        int apiPort = FreePort.Next();
        string config = dir.File("understudy.yaml");
        File.WriteAllText(config, $$"""
            controller:
              api: 127.0.0.1:{{apiPort}}
              journal: {{dir.File("journal.db")}}
            services:
              cache:
                kind: tcp
                members:
                  - { name: r1, address: {{r1.Address}} }
                  - { name: r2, address: {{r2.Address}} }
                primary: r1
                check: { interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }
                failover: { cooldown: 0 }
                traffic:
                  {{traffic}}
            """);
        return (config, apiPort);
    }
}
