using System.Text;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Metrics;

namespace Understudy.IntegrationTests.Scenarios;

/// <summary>The controller's own pause (SIGSTOP, as a long GC or an overloaded host would) is not its primary's failure.</summary>
[Collection(RealProcesses.Name)]
public class StallTests
{
    private static readonly (string, string) Web = ("service", "web");

    [Fact]
    public async Task Sigstop_ControllerFrozen3sThreeTimes_FallOne_NoFailover_StallJournaled()
    {
        // fall: 1, and each check of web-a held 700 ms by a latency fault, so that each pause can land inside a check, which then
        // ends beyond its 900 ms timeout: counted, that single failure would fail a healthy primary over.
        await using var pair = await WebPair.StartAsync(check: "{ path: /health, interval: 1s, timeout: 900ms, fall: 1, rise: 1 }");
        await using var controller = await pair.StartControllerAsync();
        using var body = new StringContent("""{"kind":"latency","duration":"5m","latency_ms":700}""", Encoding.UTF8, "application/json");
        var injected = await controller.Http.PostAsync("/api/services/web/members/web-a/faults", body);
        Assert.True(injected.IsSuccessStatusCode, await injected.Content.ReadAsStringAsync());

        for (int pause = 1; pause <= 3; pause++)
        {
            double checks = await CheckJustEndedAsync(pair.ApiPort);
            await Task.Delay(500); // placing the fault: the next check runs from 300 ms to 1000 ms after the last one ended
            await Freezer.FreezeAsync(controller.Process.Id, "the controller");
            await Task.Delay(TimeSpan.FromSeconds(3)); // the fault itself: a 3 s stall
            await Freezer.ThawAsync(controller.Process.Id, "the controller");

            int expected = pause;
            await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.ControllerStalled)).Count >= expected, $"controller.stalled after pause {pause}");
            // Checks of web-a ran again after the pause (a discarded one is not counted), so a false failure would have shown by now.
            await Eventually.TrueAsync(async () => CheckCount(await MetricsPage.ReadAsync(pair.ApiPort)) >= checks + 2, $"checks of web-a after pause {pause}");
            Assert.Empty(await controller.EventsAsync("web", EventTypes.MemberDown));
            Assert.Empty(await controller.EventsAsync("web", EventTypes.FailoverStarted));
        }

        var stalled = (await controller.EventsAsync("web", EventTypes.ControllerStalled)).First();
        Assert.InRange(Convert.ToInt64(stalled.Details["paused_ms"]?.ToString()), 2900, 10_000);
        var web = await controller.ServiceAsync("web");
        Assert.Equal(("web-a", 1L), (web.Primary, web.Epoch));
    }

    /// <summary>Waits for a check of web-a to end (the histogram's count moves) and returns the new count.</summary>
    private static async Task<double> CheckJustEndedAsync(int apiPort)
    {
        double before = CheckCount(await MetricsPage.ReadAsync(apiPort));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (CheckCount(await MetricsPage.ReadAsync(apiPort)) is var now && now > before) return now;
            await Task.Delay(10);
        }
        throw new TimeoutException("no check of web-a ended within 10 s");
    }

    private static double CheckCount(MetricsPage page) =>
        page.Value("understudy_member_check_duration_seconds_count", Web, ("member", "web-a")) ?? 0;
}
