using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Understudy.IntegrationTests.Fixtures;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static Understudy.IntegrationTests.Dashboard.DashboardSetup;

namespace Understudy.IntegrationTests.Dashboard;

/// <summary>Issue 16: each drill's runs drawn against its targets, from the API to Debian's Chromium.</summary>
[Collection(RealProcesses.Name)]
public class DashboardTrendTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Trends_FiveRunsOneSlowerOneFailed_ChartedAgainstTheTargetsWithTheRegressionMarked()
    {
        var (pair, controller) = await StartAsync();
        await using var _ = pair;
        await using var __ = controller;
        using var alice = Client(pair, "ALICE_TOKEN");
        foreach ((string verdict, int ms) in new[] { ("passed", 1000), ("passed", 1050), ("passed", 980), ("passed", 1600), ("failed", 9000) })
        {
            using var posted = await alice.PostAsJsonAsync("/api/drills", new
            {
                service = "web", name = "web primary crash", verdict, rto_ms = ms / 4, recovery_time_ms = ms, lost_acknowledged_writes = 0,
                availability_pct = 99.5, rto_target_ms = 2000, recovery_target_ms = 5000,
            });
            Assert.Equal(201, (int)posted.StatusCode);
        }

        using var vera = Client(pair, "VERA_TOKEN");
        using (JsonDocument page = JsonDocument.Parse(await vera.GetStringAsync("/api/drills/trends?service=web")))
        {
            JsonElement trend = Assert.Single(page.RootElement.GetProperty("trends").EnumerateArray());
            Assert.Equal(("web", "web primary crash", 2000.0, 5000.0), (trend.GetProperty("service").GetString(), trend.GetProperty("name").GetString(),
                trend.GetProperty("rto_target_ms").GetDouble(), trend.GetProperty("recovery_target_ms").GetDouble()));
            Assert.Equal([false, false, false, true, false], trend.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("regressed").GetBoolean()));
            Assert.StartsWith("<svg", trend.GetProperty("svg").GetString());
        }
        using (var bad = await vera.GetAsync("/api/drills/trends?runs=0"))
            Assert.Equal(400, (int)bad.StatusCode);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var errors = new List<string>();
        IPage page2 = await OpenAsync(browser, pair, errors);
        await SignInAsync(page2, "VERA_TOKEN", "vera (viewer)");

        await Expect(page2.Locator("#schedule")).ToContainTextAsync("No drill is scheduled", new() { Timeout = Patiently.Timeout });
        ILocator figure = page2.Locator("[data-trend='web/web primary crash']");
        await Expect(figure.Locator("figcaption")).ToContainTextAsync("5 runs", new() { Timeout = Patiently.Timeout });
        await Expect(figure.Locator("figcaption")).ToContainTextAsync("failed, recovery 9.00 s (target 5.00 s); 1 regression");
        // The browser decoded the controller's SVG: an image that failed to load has no natural size.
        await figure.Locator("img").EvaluateAsync("img => img.decode()");
        Assert.True(await figure.Locator("img").EvaluateAsync<bool>("img => img.naturalWidth > 900"), "the trend chart did not load as an image");
        await figure.ScrollIntoViewIfNeededAsync();
        string shot = Path.Combine(AppContext.BaseDirectory, "dashboard-trend.png");
        await figure.ScreenshotAsync(new() { Path = shot });
        output.WriteLine($"trend chart screenshot: {shot}");
        Assert.Empty(errors);
    }
}
