using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using static Microsoft.Playwright.Assertions;
using static Understudy.IntegrationTests.Dashboard.DashboardSetup;

namespace Understudy.IntegrationTests.Dashboard;

/// <summary>The dashboard in Debian's Chromium (headless) during a real failover and an approved switchover.</summary>
[Collection(RealProcesses.Name)]
public class DashboardBrowserTests
{
    [Fact]
    public async Task Dashboard_FailoverThenApprovedSwitchover_FollowsThePrimaryWithoutReload()
    {
        var (pair, controller) = await StartAsync();
        await using var _ = pair;
        await using var __ = controller;
        using var alice = Client(pair, "ALICE_TOKEN");
        string bobToken = Tokens["BOB_TOKEN"];

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var errors = new List<string>();
        IPage page = await OpenAsync(browser, pair, errors);

        await SignInAsync(page, "BOB_TOKEN", "bob (approver)");
        ILocator routable = page.Locator("[data-service=web] [data-field=routable]");
        await Expect(routable).ToHaveTextAsync("web-a", Patiently);
        await Expect(page.Locator("#cluster")).ToBeHiddenAsync(); // a single controller: no cluster to name
        await Expect(page.Locator("#sites-section")).ToBeHiddenAsync(); // no sites declared
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        pair.A.Kill();
        await Expect(routable).ToHaveTextAsync("web-b", Patiently);
        await Expect(page.Locator("#events li").Filter(new() { HasText = "failover.completed" })).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");

        // Fail back by a planned switchover: web-a restarted and rejoined, requested by alice, approved in the page by bob.
        await pair.RestartAAsync();
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Members.Single(m => m.Name == "web-a").Health == "up", "web-a up again");
        (await alice.PostAsJsonAsync("/api/services/web/members/web-a/rejoin", new { })).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () => !(await controller.ServiceAsync("web")).Members.Single(m => m.Name == "web-a").NeedsRejoin, "web-a rejoined");
        var made = await alice.PostAsJsonAsync("/api/services/web/switchover", new { to = "web-a", reason = "fail back after the crash" });
        Assert.Equal(HttpStatusCode.Accepted, made.StatusCode);
        string id = (await made.Content.ReadFromJsonAsync<RequestView>(ApiJson.Options))!.Id;

        ILocator request = page.Locator($"[data-request='{id}']");
        await Expect(request).ToContainTextAsync("fail back after the crash", new() { Timeout = Patiently.Timeout });
        await request.GetByLabel("Comment").FillAsync("web-a checked");
        await request.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(routable).ToHaveTextAsync("web-a", Patiently);
        await Expect(request).ToHaveCountAsync(0);
        EventView approved = Assert.Single(await controller.EventsAsync("web", EventTypes.RequestApproved));
        Assert.Equal("bob", approved.Actor);
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");

        // The drill report opens inside the page, fetched with the token.
        await Expect(page.Locator($"[data-drill='{Report}'] [data-field=verdict]")).ToHaveTextAsync("passed");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Open the report of {Report}" }).ClickAsync();
        await Expect(page.FrameLocator("#report-frame").GetByRole(AriaRole.Heading, new() { Name = "Failover drill: web primary crash" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "dashboard.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-phone.png"), FullPage = true });

        Assert.Empty(errors);
        Assert.DoesNotContain(bobToken, await page.InnerTextAsync("body"));
        Assert.DoesNotContain(bobToken, await page.ContentAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        Assert.DoesNotContain(bobToken, controller.Output);
    }
}
