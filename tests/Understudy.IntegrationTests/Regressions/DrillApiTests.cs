using System.Net.Http.Json;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>Issue 13, item 11: <c>POST /api/drills</c> journaled and alerted whatever figures it was sent.</summary>
[Collection(RealProcesses.Name)]
public class DrillApiTests
{
    [Fact]
    public async Task PostDrill_ImpossibleFiguresOrControlCharacters_400AndNothingJournaled()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };

        (object Body, string Says)[] refused =
        [
            (new { service = "web", name = "crash", verdict = "passed", rto_ms = 1e300 }, "rto_ms: expected a number of milliseconds from 0 to 86400000 (24 h)"),
            (new { service = "web", name = "crash", verdict = "passed", rto_ms = -1 }, "rto_ms: expected a number of milliseconds from 0"),
            (new { service = "web", name = "cra\u0000sh", verdict = "passed" }, "name: control characters"),
            (new { service = "web", name = "crash", verdict = "passed", report = "a\nb" }, "report: control characters"),
            // report.json's figures, sent since drill history lists them.
            (new { service = "web", name = "crash", verdict = "passed", lost_acknowledged_writes = -1 }, "lost_acknowledged_writes: expected a count of writes, 0 or more"),
            (new { service = "web", name = "crash", verdict = "passed", availability_pct = 120 }, "availability_pct: expected a percentage from 0 to 100"),
            (new { service = "web", name = "crash", verdict = "passed", recovery_time_ms = -5 }, "recovery_time_ms: expected a number of milliseconds from 0"),
        ];
        foreach (var (body, says) in refused)
        {
            using var response = await api.PostAsJsonAsync("/api/drills", body);
            Assert.Equal(400, (int)response.StatusCode);
            Assert.Contains(says, await response.Content.ReadAsStringAsync());
        }

        using var fine = await api.PostAsJsonAsync("/api/drills", new { service = "web", name = "crash", verdict = "passed", rto_ms = 420 });
        Assert.Equal(201, (int)fine.StatusCode);
        Assert.Single(await controller.EventsAsync("web", EventTypes.DrillCompleted));
    }
}
