using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Probes;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

[Collection(RealProcesses.Name)]
public class ModeAndKindTests
{
    [Fact]
    public async Task Crash_TcpService_FailsOverOnTcpChecks()
    {
        await using var pair = await WebPair.StartAsync(kind: "tcp");
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(8) };
        Assert.Equal("web-a", (await http.GetStringAsync(pair.ProxyUrl)).Trim());

        pair.A.Kill();

        // The first request after the kill is held by the proxy and answered by web-b.
        Assert.Equal("web-b", (await http.GetStringAsync(pair.ProxyUrl)).Trim());
        var web = await controller.ServiceAsync("web");
        Assert.Equal((2L, "web-b"), (web.Epoch, web.Routable));
    }

    [Fact]
    public async Task Crash_ManualMode_HoldsNoFailoverFailsClientsFastAndRecoversInPlace()
    {
        await using var pair = await WebPair.StartAsync(failover: "{ mode: manual }");
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        pair.A.Kill();
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.FailoverHeld)).Count == 1, "failover.held");

        // Confirmed down and nothing automatic follows: a client fails at once instead of waiting out the 5 s hold.
        using var probe = new HttpProbe(new ProbeSpec("web", ProbeKind.Http, pair.ProxyUrl.ToString(), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(8)), TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await probe.RunAsync(stop.Token);
        Assert.All(probe.Samples, s => Assert.False(s.Ok));
        Assert.All(probe.Samples, s => Assert.True(s.Latency < TimeSpan.FromSeconds(2), $"held {s.Latency.TotalMilliseconds:0} ms"));

        var web = await controller.ServiceAsync("web");
        Assert.Equal((1L, "web-a", "held"), (web.Epoch, web.Primary, web.Phase));
        var alerts = await controller.EventsAsync("web", EventTypes.AlertRaised);
        Assert.Contains(alerts, a => a.Details["reason"]!.ToString()!.Contains("failover.mode is manual"));

        // The same primary coming back is not a failback: same epoch, traffic resumes.
        await pair.RestartAAsync();
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Phase == "steady", "service restored");
        using var http = new HttpClient();
        Assert.Equal("web-a", (await http.GetStringAsync(pair.ProxyUrl)).Trim());
        Assert.Empty(await controller.EventsAsync("web", EventTypes.FailoverStarted));
        Assert.Equal(1L, (await controller.ServiceAsync("web")).Epoch);
    }
}
