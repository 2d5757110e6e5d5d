using System.Net.Sockets;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Redis;

namespace Understudy.IntegrationTests.Redis;

/// <summary>
/// A planned Redis switchover on real redis-server 7.0 under a SET every 10 ms, each on a new connection through the
/// proxy: writes paused on the old primary, the target catches up, is promoted; no acknowledged write lost, none failed,
/// and the old primary replicates from the new one afterwards, a candidate again.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class RedisSwitchoverTests
{
    [Theory]
    [InlineData("")]
    [InlineData("synchronous: true")]
    public async Task Switchover_UnderWrites_NothingLostNothingFailed_TheOldPrimaryFollows(string failover)
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 2, failover: failover);
        var acked = new List<int>();
        var failed = new List<string>();
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(async () =>
        {
            for (int n = 1; n <= 3000 && !stop.IsCancellationRequested; n++)
            {
                try
                {
                    if (await RedisServer.CommandAsync(redis.ProxyPort, "SET", $"sw:{n}", n.ToString()) == "OK") lock (acked) acked.Add(n);
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidOperationException)
                {
                    lock (failed) failed.Add($"{n}: {e.Message}");
                }
                await Task.Delay(10);
            }
        });
        await Eventually.TrueAsync(() => Task.FromResult(acked.Count >= 50), "writes under way");

        var request = await CliRunner.RunAsync("switchover", "-c", redis.Config, "cache", "--to", "r2", "--reason", "resize r1", "--wait");

        Assert.True(request.ExitCode == 0, $"exit {request.ExitCode}\n{request.Out}\n{request.Err}");
        int atSwitch = acked.Count;
        await Eventually.TrueAsync(() => Task.FromResult(acked.Count >= atSwitch + 50), "writes through the new primary");
        await stop.CancelAsync();
        await writer;

        var service = await redis.ServiceAsync();
        Assert.Equal(("r2", 2L), (service.Routable, service.Epoch));
        Assert.Empty(failed);
        RedisServer r1 = redis.Server("r1"), r2 = redis.Server("r2");
        var missing = new List<int>();
        foreach (int n in acked) if (await r2.CommandAsync("EXISTS", $"sw:{n}") != "1") missing.Add(n);
        Assert.True(missing.Count == 0, $"acknowledged writes lost: {string.Join(", ", missing.Take(10))}");
        await r1.WaitCaughtUpAsync(r2);
        await redis.Server("r3").WaitCaughtUpAsync(r2);
        Assert.False(service.Members.Single(m => m.Name == "r1").NeedsRejoin);
        var events = await redis.Controller.EventsAsync("cache");
        Assert.Contains(events, e => e.Type == EventTypes.SwitchoverCompleted);
        Assert.DoesNotContain(events, e => e.Type == EventTypes.FailoverStarted);
    }
}
