using System.Diagnostics;
using StackExchange.Redis;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Redis;

namespace Understudy.IntegrationTests.Redis;

/// <summary>
/// failover.synchronous on kind redis, on real redis-server 7.0: the proxy relays RESP and holds each write's reply
/// until a WAIT says a replica has it. What clients do through it keeps working (StackExchange.Redis over RESP3:
/// pipelining, MULTI/EXEC, pub/sub, blocking pops); a write is not acknowledged while no replica can take it (strict),
/// or only after the wait (not strict); and a primary killed under writes loses none that were acknowledged.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class RedisSynchronousTests
{
    private static async Task<ConnectionMultiplexer> ClientAsync(RedisControlled redis) =>
        await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", redis.ProxyPort } }, AbortOnConnectFail = false, ConnectTimeout = 5000, SyncTimeout = 10000, AsyncTimeout = 10000,
        });

    [Fact]
    public async Task ThroughTheSynchronousProxy_PipelinesTransactionsPubSubAndBlockingPopsWork()
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 1, failover: "synchronous: true");
        await using ConnectionMultiplexer client = await ClientAsync(redis);
        IDatabase db = client.GetDatabase();

        // Pipelined: 500 writes in flight at once, every reply in order.
        Task<bool>[] sets = [.. Enumerable.Range(0, 500).Select(i => db.StringSetAsync($"k:{i}", i))];
        Assert.All(await Task.WhenAll(sets), Assert.True);
        Assert.Equal(499, (long)await db.StringGetAsync("k:499"));

        ITransaction tx = db.CreateTransaction();
        Task<long> incr = tx.StringIncrementAsync("counter");
        Task<bool> set = tx.StringSetAsync("in-tx", "yes");
        Assert.True(await tx.ExecuteAsync());
        Assert.Equal((1L, true), (await incr, await set));

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.GetSubscriber().SubscribeAsync(RedisChannel.Literal("news"), (_, message) => received.TrySetResult(message!));
        await db.PublishAsync(RedisChannel.Literal("news"), "hello");
        Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        // The connection that subscribed still writes, and still waits for the replica.
        Assert.True(await db.StringSetAsync("after-subscribe", 1));

        await using ConnectionMultiplexer other = await ClientAsync(redis);
        Task<RedisResult> pop = other.GetDatabase().ExecuteAsync("BLPOP", "queue", "10");
        await db.ListLeftPushAsync("queue", "job");
        Assert.Equal(["queue", "job"], ((RedisResult[])(await pop.WaitAsync(TimeSpan.FromSeconds(10)))!).Select(r => r.ToString()));

        // Every write above is on the replica already: each reply waited for it.
        RedisServer r2 = redis.Server("r2");
        Assert.Equal("yes", await r2.CommandAsync("GET", "in-tx"));
        Assert.Equal("1", await r2.CommandAsync("GET", "after-subscribe"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => RedisServer.CommandAsync(redis.ProxyPort, "CLIENT", "REPLY", "OFF"));
    }

    [Fact]
    public async Task Strict_AWriteIsNotAcknowledgedWhileTheReplicaCannotTakeIt()
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 1, failover: "synchronous: true, synchronous_strict: true",
            check: "{ interval: 200ms, timeout: 150ms, fall: 20, rise: 2 }"); // the frozen replica is not failed over meanwhile
        RedisServer r2 = redis.Server("r2");
        await r2.PauseAsync();
        Task<string> write = RedisServer.CommandAsync(redis.ProxyPort, "SET", "held", "1");
        try
        {
            // Held through more than one WAIT timeout (1 s): acknowledged only once a replica has it.
            Assert.False(await Completes(write, TimeSpan.FromSeconds(2.5)), "the write was acknowledged while its only replica was frozen");
        }
        finally { await r2.ResumeAsync(); }
        Assert.Equal("OK", await write.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("1", await r2.CommandAsync("GET", "held"));
    }

    [Fact]
    public async Task NotStrict_AWriteWaitsForTheReplicaThenGoesOnWithoutIt()
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 1, failover: "synchronous: true",
            check: "{ interval: 200ms, timeout: 150ms, fall: 20, rise: 2 }");
        RedisServer r2 = redis.Server("r2");
        await r2.PauseAsync();
        try
        {
            var took = Stopwatch.StartNew();
            Assert.Equal("OK", await RedisServer.CommandAsync(redis.ProxyPort, "SET", "unprotected", "1"));
            // The reply waited out the WAIT (1 s) before going on without a copy.
            Assert.True(took.Elapsed >= TimeSpan.FromMilliseconds(900), $"acknowledged after {took.ElapsedMilliseconds} ms, before the WAIT ended");
        }
        finally { await r2.ResumeAsync(); }
    }

    [Fact]
    public async Task PrimaryKilledUnderPipelinedWriters_NoAcknowledgedWriteIsLost()
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 2, failover: "synchronous: true");
        var acked = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        async Task WriterAsync(int id)
        {
            for (int batch = 0; batch < 2000 && !stop.IsCancellationRequested; batch++)
            {
                try
                {
                    await using ConnectionMultiplexer c = await ClientAsync(redis);
                    IDatabase db = c.GetDatabase();
                    for (; batch < 2000 && !stop.IsCancellationRequested; batch++)
                    {
                        string[] keys = [.. Enumerable.Range(0, 20).Select(i => $"w{id}:{batch}:{i}")];
                        bool[] ok = await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, k)));
                        foreach (string k in keys) acked.Add(k);
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException) { await Task.Delay(50); }
            }
        }
        Task[] writers = [.. Enumerable.Range(0, 4).Select(WriterAsync)];
        await Eventually.TrueAsync(() => Task.FromResult(acked.Count > 2000), "writes under way");
        await redis.Server("r1").KillAsync();
        await Eventually.TrueAsync(async () => await redis.ServiceAsync() is { Routable: "r2" or "r3", Epoch: 2, Failover: null }, "the failover to a replica");
        int atSwitch = acked.Count;
        await Eventually.TrueAsync(() => Task.FromResult(acked.Count >= atSwitch + 200), "writes through the new primary");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        RedisServer primary = redis.Server((await redis.ServiceAsync()).Routable!);
        await using ConnectionMultiplexer check = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{primary.Port}");
        string[] all = [.. acked];
        var lost = new List<string>();
        foreach (string[] chunk in all.Chunk(500))
        {
            RedisValue[] values = await check.GetDatabase().StringGetAsync([.. chunk.Select(k => (RedisKey)k)]);
            lost.AddRange(chunk.Where((_, i) => values[i].IsNull));
        }
        Assert.True(lost.Count == 0, $"{lost.Count} of {all.Length} acknowledged writes lost, e.g. {string.Join(", ", lost.Take(5))}");
    }

    private static async Task<bool> Completes(Task task, TimeSpan within) => await Task.WhenAny(task, Task.Delay(within)) == task;
}
