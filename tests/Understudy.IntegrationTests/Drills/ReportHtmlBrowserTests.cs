using Microsoft.Playwright;
using Understudy.Core.Drills;
using Understudy.Demo;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary>Opens a real drill's report.html in Debian's Chromium (headless) and checks the chart is drawn.</summary>
[Collection(RealProcesses.Name)]
public class ReportHtmlBrowserTests
{
    [Fact]
    public async Task ReportHtml_OpenedInChromium_RendersTheTimelineChart()
    {
        using var dir = new TempDir();
        int port = FreePort.Next();
        using var app = await SampleAppProcess.StartAsync("solo", port, Eventually.Deadline, "--pidfile", dir.File("solo.pid"));
        var run = await DrillRun.RunAsync(dir, $$"""
            name: kill the only server
            probes:
              - { name: solo, http: { url: "http://127.0.0.1:{{port}}/", interval: 20ms, timeout: 500ms } }
              - { name: port, tcp: { address: 127.0.0.1:{{port}}, interval: 50ms, timeout: 500ms } }
            steady_state: { duration: 1s, max_error_rate: 0 }
            faults:
              - kill_process: { pidfile: solo.pid }
            recovery: { timeout: 1s, stable_for: 500ms }
            """);
        Assert.Equal(Verdict.Failed, run.Report!.Verdict);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        await page.GotoAsync(new Uri(Path.Combine(run.Folder!, "report.html")).AbsoluteUri);

        var chart = page.Locator("svg#timeline");
        var box = await chart.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Width > 300 && box.Height > 100, $"chart is {box.Width}×{box.Height}");
        Assert.Equal(["solo", "port"], await page.Locator("svg#timeline g.probe").EvaluateAllAsync<string[]>("gs => gs.map(g => g.dataset.probe)"));
        Assert.True(await page.Locator("svg#timeline g.probe[data-probe=solo] *").CountAsync() > 10, "no marks drawn for the http probe");
        Assert.Contains("kill the only server", await page.TitleAsync());
        Assert.Empty(errors);
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "report-html.png"), FullPage = true });
    }
}
