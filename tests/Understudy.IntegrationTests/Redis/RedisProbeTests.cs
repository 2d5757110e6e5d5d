using Understudy.Core.Drills;
using Understudy.Drills.Probes;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Redis;

namespace Understudy.IntegrationTests.Redis;

/// <summary>
/// The drill's Redis probes against real redis-server processes, driven in-process as the other probe tests
/// drive theirs: redis_write's successes, its exact count of acknowledged writes lost, its cleanup; redis
/// (PING, GET) and how a dead server's failures are named; and one whole <c>understudy drill run</c>.
/// </summary>
[Collection(RealProcesses.Name)]
public class RedisProbeTests
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(1);

    private static ProbeSpec WriteSpec(RedisServer through, bool keepAlive = false, RedisServer? verify = null) =>
        new("cache", ProbeKind.RedisWrite, through.Address, Every, Timeout, KeepAlive: keepAlive,
            Redis: new RedisProbeSpec(VerifyAddress: verify?.Address));

    /// <summary>Runs <paramref name="probe"/> until <paramref name="during"/> returns, then waits for its attempts to end.</summary>
    private static async Task RunWhileAsync(OpenLoopProbe probe, Func<Task> during)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await probe.PrepareAsync(stop.Token);
        Task running = probe.RunAsync(stop.Token);
        try { await during(); }
        finally { await stop.CancelAsync(); }
        await running.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WriteProbe_AgainstOneLiveServer_AcknowledgesEveryWriteAndLosesNone(bool keepAlive)
    {
        await using var r1 = await RedisServer.StartAsync("r1");
        using var probe = new RedisWriteProbe(WriteSpec(r1, keepAlive), TimeProvider.System);

        await RunWhileAsync(probe, () => Eventually.TrueAsync(() => probe.Samples.Count >= 20, "20 writes", TimeSpan.FromSeconds(30)));
        // Written with a TTL, so a drill that never gets to its cleanup leaves nothing for good.
        long ttl = long.Parse(await r1.CommandAsync("TTL", probe.Key(0)));
        WriteLoss loss = await probe.ReadBackAsync(CancellationToken.None);

        var samples = probe.Samples;
        Assert.True(samples.Count >= 20, $"only {samples.Count} attempts in 1 s");
        Assert.All(samples, s => Assert.True(s.Ok, $"#{s.Seq} {s.Error} {s.Detail}"));
        Assert.Equal((samples.Count, samples.Count, 0), (loss.Acknowledged, loss.ReadBack, loss.Lost));
        Assert.InRange(ttl, (long)RedisWriteProbe.KeyTtl.TotalSeconds - 60, (long)RedisWriteProbe.KeyTtl.TotalSeconds);
        Assert.Equal("", await r1.CommandAsync("KEYS", "understudy:probe:*"));
    }

    [Fact]
    public async Task WriteProbe_ReplicaMissedTheLatestWrites_CountsTheAcknowledgedOnesItLacksExactly()
    {
        await using var r1 = await RedisServer.StartAsync("r1");
        await using var r2 = await RedisServer.StartAsync("r2", r1);
        await r2.WaitCaughtUpAsync(r1);
        using var probe = new RedisWriteProbe(WriteSpec(r1, verify: r2), TimeProvider.System);

        await RunWhileAsync(probe, async () =>
        {
            await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok) >= 20, "20 writes before r2 is paused", TimeSpan.FromSeconds(30));
            await r2.PauseAsync();
            // Asynchronous replication: r1 keeps acknowledging. 16 MB first fills the kernel's socket buffers toward
            // the frozen r2 (well under the replica output-buffer limit, so r1 keeps the link), so the writes
            // after it wait in r1's memory and die with it.
            Assert.Equal("OK", await r1.CommandAsync("SET", "filler", new string('x', 16 << 20)));
            int atFiller = probe.Samples.Count(s => s.Ok);
            await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok) >= atFiller + 20, "20 writes r2 cannot have", TimeSpan.FromSeconds(30));
        });
        await r1.KillAsync();
        await r2.ResumeAsync();
        Assert.Equal("OK", await r2.CommandAsync("REPLICAOF", "NO", "ONE"));

        // The truth, read with the fixture's own client before the probe reads back (and deletes): each acknowledged key on r2.
        var acknowledged = probe.Acknowledged;
        var missing = new List<long>();
        foreach (var (seq, _) in acknowledged)
            if (await r2.CommandAsync("EXISTS", probe.Key(seq)) == "0") missing.Add(seq);
        WriteLoss loss = await probe.ReadBackAsync(CancellationToken.None);

        Assert.True(missing.Count > 0, $"r2 missed no acknowledged write of {acknowledged.Count}: the test did not cause a loss\n{r2.LogTail()}");
        Assert.True(missing.Count < acknowledged.Count, "r2 holds none of the writes: it never replicated");
        Assert.Equal(acknowledged.Count, loss.Acknowledged);
        Assert.Equal(missing.Count, loss.Lost);
        DateTimeOffset[] lostAcks = [.. acknowledged.Where(a => missing.Contains(a.Seq)).Select(a => a.AckedAt).Order()];
        Assert.Equal((lostAcks[0], lostAcks[^1]), (loss.FirstLostAckAt!.Value, loss.LastLostAckAt!.Value));
        Assert.Equal("", await r2.CommandAsync("KEYS", "understudy:probe:*"));
    }

    [Theory]
    [InlineData(RedisReadCommand.Ping, false)]
    [InlineData(RedisReadCommand.Get, false)]
    [InlineData(RedisReadCommand.Get, true)]
    public async Task ReadProbe_AnswersWhileTheServerRunsAndIsRefusedOnceItIsKilled(RedisReadCommand command, bool keepAlive)
    {
        await using var r1 = await RedisServer.StartAsync("r1");
        using var probe = new RedisProbe(new ProbeSpec("cache-read", ProbeKind.Redis, r1.Address, Every, Timeout, KeepAlive: keepAlive,
            Redis: new RedisProbeSpec(Command: command)), TimeProvider.System);
        DateTimeOffset killedAt = default;

        await RunWhileAsync(probe, async () =>
        {
            await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok) >= 10, "10 answers before the kill", TimeSpan.FromSeconds(10));
            killedAt = DateTimeOffset.UtcNow;
            await r1.KillAsync();
            await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Start > killedAt + TimeSpan.FromMilliseconds(300)) >= 10,
                "10 attempts after the kill", TimeSpan.FromSeconds(30));
        });

        var before = probe.Samples.Where(s => s.End < killedAt).ToList();
        // A kept-alive connection first breaks (reset) for the attempts already on it; then each new one is refused.
        var after = probe.Samples.Where(s => s.Start > killedAt + TimeSpan.FromMilliseconds(300)).ToList();
        Assert.True(before.Count >= 10 && after.Count >= 10, $"{before.Count} attempts before the kill, {after.Count} after");
        Assert.All(before, s => Assert.True(s.Ok, $"#{s.Seq} {s.Error} {s.Detail}"));
        Assert.All(after, s => Assert.False(s.Ok, $"#{s.Seq} answered after the kill"));
        // A new connection to a port nothing listens on is refused. StackExchange.Redis now and then reports such a
        // connect only at its connect timeout (about 1 attempt in 40 here), and a kept-alive multiplexer still
        // reconnecting may hold an attempt until its timeout: those count as timeouts, still failures. On a loaded host
        // enough of those pile up that the probe refuses to start more (overload, once in a clean CI run): failures too.
        Assert.All(after, s => Assert.True(s.Error is ErrorKind.Refused or ErrorKind.Timeout or ErrorKind.Overload, $"#{s.Seq} {s.Error} {s.Detail}"));
        Assert.True(after.Count(s => s.Error == ErrorKind.Refused) > after.Count / 2, string.Join("\n", after.Select(s => $"#{s.Seq} {s.Error} {s.Detail}")));
    }

    [Fact]
    public async Task DrillRun_RedisWriteProbeThroughAWait_PassesWithNothingLost()
    {
        await using var r1 = await RedisServer.StartAsync("r1");
        using var dir = new TempDir();

        var run = await DrillRun.RunAsync(dir, $$"""
            name: redis write probe
            targets: { rpo: 0, availability: 100 }
            probes:
              - { name: cache, redis_write: { address: {{r1.Address}}, interval: 20ms, timeout: 1s } }
              - { name: ping, redis: { address: {{r1.Address}}, interval: 20ms } }
            steady_state: { duration: 500ms }
            faults:
              - wait: 1s
            recovery: { timeout: 10s, stable_for: 500ms }
            """);

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.True(run.Cli.ExitCode == 0, $"exit {run.Cli.ExitCode}\n{run.Cli.Out}\n{run.Cli.Err}");
        ProbeResult cache = report.Probes.Single(p => p.Name == "cache");
        Assert.Equal(("redis_write", r1.Address, "redis"), (cache.Kind, cache.Target, report.Probes.Single(p => p.Name == "ping").Kind));
        Assert.True(cache.Writes!.Acknowledged > 20, $"{cache.Writes.Acknowledged} writes acknowledged");
        Assert.Equal((cache.Attempts, 0), (cache.Writes.Acknowledged, cache.Writes.Lost));
        Assert.Equal(0, report.LostAcknowledgedWrites);
        Assert.Equal("", await r1.CommandAsync("KEYS", "understudy:probe:*"));
    }
}
