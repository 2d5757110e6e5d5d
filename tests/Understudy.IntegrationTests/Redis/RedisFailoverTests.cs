using System.Net.Sockets;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Redis;

namespace Understudy.IntegrationTests.Redis;

/// <summary>
/// kind redis on real redis-server 7.0: the primary SIGKILLed under a write load through the proxy, a replica promoted
/// (REPLICAOF NO ONE), the other re-pointed, the old primary made a replica on sight when it returns and a candidate
/// again only by rejoin (or by itself with failover.rejoin: auto).
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class RedisFailoverTests
{
    [Fact]
    public async Task PrimaryKilledUnderWrites_AReplicaIsPromotedTheOtherFollowsItAndWritesResume()
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 2);
        var acked = new List<(int Seq, bool AfterSwitch)>();
        bool switched = false;
        int seq = 0;
        async Task WriteAsync()
        {
            int n = ++seq;
            try
            {
                if (await RedisServer.CommandAsync(redis.ProxyPort, "SET", $"probe:{n}", n.ToString()) == "OK") acked.Add((n, switched));
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidOperationException) { }
        }
        for (int i = 0; i < 50; i++) await WriteAsync();

        await redis.Server("r1").KillAsync();
        var writer = Task.Run(async () =>
        {
            for (int i = 0; i < 2000 && !switched; i++) { await WriteAsync(); await Task.Delay(5); }
        });
        await Eventually.TrueAsync(async () => await redis.ServiceAsync() is { Routable: "r2" or "r3", Epoch: 2, Failover: null }, "the failover to a replica");
        switched = true;
        await writer;
        for (int i = 0; i < 50; i++) await WriteAsync();

        var service = await redis.ServiceAsync();
        RedisServer primary = redis.Server(service.Routable!), other = redis.Server(service.Routable == "r2" ? "r3" : "r2");
        Assert.Equal("master", await primary.RoleAsync());
        await other.WaitCaughtUpAsync(primary);
        Assert.True(acked.Count(a => a.AfterSwitch) >= 45, $"only {acked.Count(a => a.AfterSwitch)} of 50 writes after the switch were acknowledged");
        // Every write acknowledged through the proxy is on the new primary, except what the dead primary acknowledged and
        // never sent: counted here exactly, and none of it after the switch.
        var missing = new List<int>();
        foreach (var (n, _) in acked) if (await primary.CommandAsync("EXISTS", $"probe:{n}") != "1") missing.Add(n);
        Assert.DoesNotContain(missing, n => acked.Single(a => a.Seq == n).AfterSwitch);
        Assert.True(missing.Count <= 1, $"acknowledged writes lost: {string.Join(", ", missing)} (a local replica should trail by at most the last write)");

        var events = await redis.Controller.EventsAsync("cache");
        Assert.Contains(events, e => e.Type == EventTypes.MemberPromoted && e.Member == service.Routable);
        Assert.Contains(events, e => e.Type == EventTypes.StandbysRepointed);
    }

    [Fact]
    public async Task OldPrimaryReturns_MadeAReplicaOnSightAndACandidateOnlyAfterRejoin()
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 1);
        RedisServer r1 = redis.Server("r1"), r2 = redis.Server("r2");
        await r1.KillAsync();
        await Eventually.TrueAsync(async () => await redis.ServiceAsync() is { Routable: "r2", Epoch: 2, Failover: null }, "the failover to r2");

        await r1.RestartAsync(); // empty and a primary, as a crashed cache without persistence comes back
        await Eventually.TrueAsync(async () => (await redis.Controller.EventsAsync("cache", EventTypes.MemberDemoted)).Any(e => e.Member == "r1"), "r1 demoted on sight");
        await r1.WaitCaughtUpAsync(r2);
        var service = await redis.ServiceAsync();
        Assert.Equal("r2", service.Routable);
        Assert.True(service.Members.Single(m => m.Name == "r1").NeedsRejoin, "r1 became a candidate again without a rejoin");

        var rejoin = await CliRunner.RunAsync("rejoin", "-c", redis.Config, "cache", "r1");
        Assert.True(rejoin.ExitCode == 0, $"exit {rejoin.ExitCode}\n{rejoin.Out}\n{rejoin.Err}");
        await Eventually.TrueAsync(async () => (await redis.ServiceAsync()).Members.Single(m => m.Name == "r1").NeedsRejoin == false, "r1 rejoined");
    }

    [Fact]
    public async Task RejoinAuto_TheDemotedOldPrimaryIsACandidateOnceItReplicates()
    {
        await using var redis = await RedisControlled.StartAsync(replicas: 1, failover: "rejoin: auto");
        await redis.Server("r1").KillAsync();
        await Eventually.TrueAsync(async () => await redis.ServiceAsync() is { Routable: "r2", Epoch: 2, Failover: null }, "the failover to r2");

        await redis.Server("r1").RestartAsync();
        await Eventually.TrueAsync(async () => (await redis.Controller.EventsAsync("cache", EventTypes.MemberRejoined)).Any(e => e.Member == "r1" && e.Actor == "understudy"),
            "r1 rejoined by itself once it replicates from r2");
        Assert.Equal("slave", await redis.Server("r1").RoleAsync());
        Assert.Equal("r2", (await redis.ServiceAsync()).Routable);
    }
}
