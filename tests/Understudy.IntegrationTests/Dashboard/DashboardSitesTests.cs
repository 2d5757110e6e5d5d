using System.Text.Json;
using Microsoft.Playwright;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using static Microsoft.Playwright.Assertions;
using static Understudy.IntegrationTests.Dashboard.DashboardSetup;

namespace Understudy.IntegrationTests.Dashboard;

/// <summary>Issue 15: the dashboard's Sites panel (web-a in east, web-b in west), over the API and in Debian's Chromium.</summary>
[Collection(RealProcesses.Name)]
public class DashboardSitesTests
{
    [Fact]
    public async Task SitesPanel_OperatorPlansThenAsks_ApproverApprovesInThePage_WebMovesWest()
    {
        var (pair, controller) = await StartAsync(sites: true);
        await using var _ = pair;
        await using var __ = controller;
        using var vera = Client(pair, "VERA_TOKEN");

        // What the panel reads: the sites, and each member's site in the status.
        using (JsonDocument sites = JsonDocument.Parse(await vera.GetStringAsync("/api/sites")))
        {
            JsonElement east = Assert.Single(sites.RootElement.EnumerateArray());
            Assert.Equal("""{"name":"east","services":["web"],"approvals_needed":1,"operations":[]}""", east.GetRawText());
        }
        Assert.Equal(["east", "west"], (await controller.ServiceAsync("web")).Members.Select(m => m.Site));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var errors = new List<string>();
        IPage page = await OpenAsync(browser, pair, errors);
        await SignInAsync(page, "ALICE_TOKEN", "alice (operator)");

        ILocator site = page.Locator("[data-site=east]");
        await Expect(site.Locator("[data-service=web] [data-field=primary-site]")).ToHaveTextAsync("east", Patiently);
        await site.GetByRole(AriaRole.Button, new() { Name = "Fail over site east…" }).ClickAsync();
        await site.GetByLabel("Reason (required, journaled)").FillAsync("east region maintenance");
        await site.GetByRole(AriaRole.Button, new() { Name = "Show plan" }).ClickAsync();
        await Expect(site.Locator(".plan li[data-service=web]")).ToContainTextAsync("web: switchover web-a → web-b, planned");
        await Expect(site.Locator(".plan")).ToContainTextAsync("needs 1 approval(s)");
        Assert.Empty(await controller.EventsAsync("web", EventTypes.SiteRequested)); // the plan was a dry run
        await site.GetByRole(AriaRole.Button, new() { Name = "Fail over east" }).ClickAsync();

        ILocator operation = site.Locator("[data-operation]");
        await Expect(operation.Locator("[data-field=state]")).ToHaveTextAsync("awaiting approval", Patiently);
        await Expect(operation.Locator(".reason")).ToHaveTextAsync("east region maintenance");
        await Expect(operation.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0); // not her own
        await Expect(operation.GetByRole(AriaRole.Button, new() { NameRegex = new("^Withdraw ") })).ToBeVisibleAsync();
        await Expect(operation.Locator("[data-service=web] [data-field=status]")).ToHaveTextAsync("planned");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignInAsync(page, "BOB_TOKEN", "bob (approver)");
        await operation.GetByLabel("Comment").FillAsync("east checked");
        await operation.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(operation.Locator("[data-field=state]")).ToHaveTextAsync("completed", Patiently);
        await Expect(operation.Locator("[data-service=web] [data-field=status]")).ToHaveTextAsync("moved");
        await Expect(operation.Locator(".decision")).ToHaveCountAsync(0);
        await Expect(site.Locator("[data-service=web] [data-field=primary-site]")).ToHaveTextAsync("west", Patiently);
        Assert.Equal("web-b", (await controller.ServiceAsync("web")).Routable);
        EventView approved = Assert.Single(await controller.EventsAsync("web", EventTypes.RequestApproved));
        Assert.Equal("bob", approved.Actor);

        await page.SetViewportSizeAsync(390, 844);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-sites-phone.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
