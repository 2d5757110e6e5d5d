using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Probes;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

[Collection(RealProcesses.Name)]
public class CrashFailoverTests
{
    // interval × fall + timeout + 1 s, with the fixture's 200 ms × 3 + 150 ms.
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(200 * 3 + 150 + 1000);

    [Fact]
    public async Task Crash_PrimaryKilled_StandbyServesWithinBoundAndNewConnectionsWaitInsteadOfFailing()
    {
        await using var pair = await WebPair.StartAsync(
            hooks: """{ on_failover: [ { exec: [sh, -c, "echo {{service}} {{old_primary}} {{new_primary}} {{epoch}} > hook.out"], timeout: 10s } ] }""");
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        using var probe = new HttpProbe(new ProbeSpec("web", ProbeKind.Http, pair.ProxyUrl.ToString(), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(8)), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        Task probing = probe.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok && s.AnsweredBy == "web-a") >= 20, "steady traffic to web-a");

        DateTimeOffset killedAt = DateTimeOffset.UtcNow;
        pair.A.Kill();
        await Eventually.TrueAsync(() => probe.Samples.Any(s => s.Ok && s.AnsweredBy == "web-b" && s.Start > killedAt), "an answer from web-b");
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok && s.Start > killedAt + Bound) >= 20, "steady traffic after the failover");

        // The old primary comes back; watch well beyond rise × interval (400 ms) with cooldown 0s.
        await pair.RestartAAsync();
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Members.Single(m => m.Name == "web-a").Health == "up", "web-a seen up again");
        DateTimeOffset backAt = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Start > backAt.AddSeconds(2)) >= 10, "two seconds of traffic after web-a is back");
        await stop.CancelAsync();
        await probing;

        IReadOnlyList<ProbeSample> samples = probe.Samples;
        ProbeSample firstFromB = samples.First(s => s.Ok && s.AnsweredBy == "web-b");
        Assert.True(firstFromB.End - killedAt <= Bound, $"first answer from web-b {(firstFromB.End - killedAt).TotalMilliseconds:0} ms after the kill; bound {Bound.TotalMilliseconds} ms");

        // New connections made during the failover waited and succeeded. Only an attempt already talking
        // to web-a when it died may fail (its connection was reset under it).
        var afterKill = samples.Where(s => s.Start > killedAt.AddMilliseconds(50)).ToList();
        Assert.All(afterKill, s => Assert.True(s.Ok, $"attempt {s.Seq} at +{(s.Start - killedAt).TotalMilliseconds:0} ms failed: {s.Error} {s.Detail}"));
        Assert.True(samples.Count(s => !s.Ok) <= 2, $"{samples.Count(s => !s.Ok)} failed attempts");
        var events = await controller.EventsAsync("web");
        DateTimeOffset switchedAt = events.Single(e => e.Type == EventTypes.TrafficSwitched).Time;
        Assert.Contains(samples, s => s.Start > killedAt && s.Start < switchedAt && s.Ok && s.AnsweredBy == "web-b");

        // No automatic failback.
        Assert.DoesNotContain(samples, s => s.Start > killedAt.AddMilliseconds(50) && s.AnsweredBy == "web-a");
        var web = await controller.ServiceAsync("web");
        Assert.Equal(("web-b", "web-b", 2L), (web.Primary, web.Routable, web.Epoch));
        Assert.True(web.Members.Single(m => m.Name == "web-a").NeedsRejoin);

        // The journal holds the failover, one epoch step.
        string[] expected = [EventTypes.MemberDown, EventTypes.FailoverStarted, EventTypes.MemberFenced, EventTypes.TrafficSwitched, EventTypes.HookCompleted, EventTypes.FailoverCompleted];
        // Up to the failover's end: a later flap under load is not part of it.
        var failover = events.TakeWhile(e => e.Type != EventTypes.FailoverCompleted).Append(events.First(e => e.Type == EventTypes.FailoverCompleted))
            .Where(e => expected.Contains(e.Type)).ToList();
        Assert.Equal(expected, failover.Select(e => e.Type));
        Assert.Equal([1L, 2L, 2L, 2L, 2L, 2L], failover.Select(e => e.Epoch));
        Assert.Equal("web-a", failover[0].Member);
        Assert.Single(events, e => e.Type == EventTypes.FailoverStarted);
        Assert.Equal("web web-a web-b 2", (await File.ReadAllTextAsync(pair.Dir.File("hook.out"))).Trim());
    }

    [Fact]
    public async Task Restart_ControllerRestartedAfterFailover_KeepsEpochAndPrimaryWithOldPrimaryAlive()
    {
        await using var pair = await WebPair.StartAsync();
        var first = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);
        await Eventually.TrueAsync(async () => (await first.ServiceAsync("web")).Members.All(m => m.Health == "up"), "both members up");
        pair.A.Kill();
        await Eventually.TrueAsync(async () => (await first.ServiceAsync("web")) is { Routable: "web-b", Failover: null }, "failover to web-b");
        await first.StopAsync();
        Assert.Equal(0, first.Process.ExitCode);
        await first.DisposeAsync();

        // web-a is healthy again before the new controller starts: it must still not get traffic.
        await pair.RestartAAsync();
        await using var second = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);
        await Eventually.TrueAsync(async () => (await second.ServiceAsync("web")).Members.All(m => m.Health == "up"), "both members up after restart");

        var web = await second.ServiceAsync("web");
        Assert.Equal(("web-b", "web-b", 2L), (web.Primary, web.Routable, web.Epoch));
        Assert.True(web.Members.Single(m => m.Name == "web-a").NeedsRejoin);
        using var http = new HttpClient();
        for (int i = 0; i < 20; i++)
            Assert.Equal("web-b", (await http.GetStringAsync(pair.ProxyUrl)).Trim());
        var events = await second.EventsAsync("web");
        Assert.Equal(2, events.Count(e => e.Type == EventTypes.ControllerStarted));
        Assert.Single(events, e => e.Type == EventTypes.FailoverStarted);
    }
}
