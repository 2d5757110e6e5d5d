using System.Net.Http.Json;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary>A drill's verdict, posted as <c>drill run</c> posts it, judged against the drill's own recent passed runs.</summary>
[Collection(RealProcesses.Name)]
public class DrillRegressionTests
{
    [Fact]
    public async Task Post_ASlowerRunThenALossyOne_EachJournaledAsDrillRegressed_ARunWithinTheLimitIsNot()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };

        // Baseline 1000, 1000, 1050: median 1000, limit max(1200, 1100) = 1200; 1100 is within it and joins the baseline.
        foreach (int ms in new[] { 1000, 1000, 1050, 1100 }) await PostAsync(api, "passed", ms, lost: 0);
        await WaitForAsync(controller, EventTypes.DrillCompleted, 4);
        Assert.Empty(await controller.EventsAsync(service: "web", type: EventTypes.DrillRegressed));

        // Median of 1000, 1000, 1050, 1100 is 1025: the limit is 1230.
        await PostAsync(api, "passed", 1300, lost: 0);
        await PostAsync(api, "passed", 1000, lost: 2);
        var regressed = await WaitForAsync(controller, EventTypes.DrillRegressed, 2);

        Assert.Equal([("recovery_time_ms", 1300.0, 1025.0, 1230.0, 4.0), ("lost_acknowledged_writes", 2.0, 0.0, 0.0, 5.0)],
            regressed.OrderBy(e => e.Id).Select(e => (Detail(e, "measure"), Number(e, "value"), Number(e, "baseline"), Number(e, "limit"), Number(e, "runs"))));
        Assert.All(regressed, e => Assert.Equal("web crash", Detail(e, "name")));
    }

    private static async Task PostAsync(HttpClient api, string verdict, int recoveryMs, int lost)
    {
        using var posted = await api.PostAsJsonAsync("/api/drills",
            new { service = "web", name = "web crash", verdict, rto_ms = 0, recovery_time_ms = recoveryMs, lost_acknowledged_writes = lost, availability_pct = 100 });
        Assert.Equal(201, (int)posted.StatusCode);
    }

    private static async Task<IReadOnlyList<Understudy.Api.EventView>> WaitForAsync(ControllerProcess controller, string type, int count)
    {
        IReadOnlyList<Understudy.Api.EventView> events = [];
        await Eventually.TrueAsync(async () => (events = await controller.EventsAsync(service: "web", type: type)).Count >= count, $"{count} {type}");
        return events;
    }

    private static double Number(Understudy.Api.EventView e, string key) => Math.Round(double.Parse(Detail(e, key)!, System.Globalization.CultureInfo.InvariantCulture), 3);

    private static string? Detail(Understudy.Api.EventView e, string key) => e.Details.TryGetValue(key, out object? v) ? v?.ToString() : null;
}
