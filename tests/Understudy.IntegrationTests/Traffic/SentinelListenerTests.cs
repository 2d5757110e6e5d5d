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
        int sentinelPort = FreePort.Next();
        await using var setup = await Setup.StartAsync($"sentinel: {{ listen: 127.0.0.1:{sentinelPort}, name: mymaster, answer: member }}");

        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(ClientOptions(sentinelPort));
        IDatabase db = await setup.WriteBeforeAsync(client);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, setup.R1.Port), client.GetEndPoints());

        // Nothing tells the client but the listener: it must end up writing to r2 by itself.
        await setup.FailOverAndWaitForWritesAsync(db);
        Assert.Equal("1", await db.StringGetAsync("before")); // replicated before the crash, read from r2 now
        // The client can reach r2 (a replica it was told of) before the controller has confirmed r1 down: wait for the failover.
        await Eventually.TrueAsync(async () => (await setup.Controller.ServiceAsync("cache")).Primary == "r2", "the controller's failover to r2");
    }

    [Fact]
    public async Task AnswerProxy_ClientIsHandedTheProxyAndKeepsWritingThroughIt()
    {
        int sentinelPort = FreePort.Next(), proxyPort = FreePort.Next();
        await using var setup = await Setup.StartAsync(
            $"proxy: {{ listen: 127.0.0.1:{proxyPort}, hold: 10s }}\n      sentinel: {{ listen: 127.0.0.1:{sentinelPort}, name: mymaster }}");

        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(ClientOptions(sentinelPort));
        IDatabase db = await setup.WriteBeforeAsync(client);
        var proxy = new IPEndPoint(IPAddress.Loopback, proxyPort);
        Assert.Equal([proxy], client.GetEndPoints()); // answer: proxy lists no replicas: reads go through the proxy too

        await setup.FailOverAndWaitForWritesAsync(db);
        Assert.Equal([proxy], client.GetEndPoints());
    }

    /// <summary>r1 primary, r2 its caught-up replica, and a controller whose service cache (kind tcp) has <c>traffic</c> lines as given.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly TempDir _dir = new();

        private Setup(RedisServer r1, RedisServer r2) => (R1, R2) = (r1, r2);

        public RedisServer R1 { get; }
        public RedisServer R2 { get; }
        public ControllerProcess Controller { get; private set; } = null!;

        public static async Task<Setup> StartAsync(string traffic)
        {
            var r1 = await RedisServer.StartAsync("r1");
            var setup = new Setup(r1, await RedisServer.StartAsync("r2", r1));
            await setup.R2.WaitCaughtUpAsync(r1);
            var (config, apiPort) = Config(setup._dir, setup.R1, setup.R2, traffic);
            setup.Controller = await ControllerProcess.StartAsync(config, apiPort);
            await Eventually.TrueAsync(async () => (await setup.Controller.ServiceAsync("cache")).Members.All(m => m.Health == "up"), "both members up");
            return setup;
        }

        /// <summary>Writes "before" through the client and checks it landed on r1.</summary>
        public async Task<IDatabase> WriteBeforeAsync(ConnectionMultiplexer client)
        {
            IDatabase db = client.GetDatabase();
            Assert.True(await db.StringSetAsync("before", "1"));
            Assert.Equal("1", await R1.CommandAsync("GET", "before"));
            return db;
        }

        /// <summary>Kills r1, makes r2 writable (kind tcp: Understudy moves traffic, it does not promote), and waits until the client's writes land on r2.</summary>
        public async Task FailOverAndWaitForWritesAsync(IDatabase db)
        {
            await R1.KillAsync();
            await R2.CommandAsync("REPLICAOF", "NO", "ONE");
            await Eventually.TrueAsync(async () =>
            {
                try { return await db.StringSetAsync("after", "2") && await R2.CommandAsync("GET", "after") == "2"; }
                catch (RedisException) { return false; }
            }, "the client to write to r2", Follow);
        }

        public async ValueTask DisposeAsync()
        {
            if (Controller is not null) await Controller.DisposeAsync();
            await R2.DisposeAsync();
            await R1.DisposeAsync();
            _dir.Dispose();
        }
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
