using System.Net;
using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Drills.Reports;
using Understudy.IntegrationTests.Fixtures;
using static Understudy.IntegrationTests.Dashboard.DashboardSetup;

namespace Understudy.IntegrationTests.Dashboard;

/// <summary>What the dashboard reads, over HTTP: the page, whoami, the drill list and report files, and who may read them.</summary>
[Collection(RealProcesses.Name)]
public class DashboardApiTests
{
    [Fact]
    public async Task Dashboard_PageIsPublic_ItsDataAndReportsNeedAToken_NothingOutsideTheReportFolders()
    {
        var (pair, controller) = await StartAsync();
        await using var _ = pair;
        await using var __ = controller;
        using var anonymous = Client(pair, null);
        using var vera = Client(pair, "VERA_TOKEN");

        var page = await anonymous.GetAsync("/");
        Assert.Equal(("text/html", "utf-8"), (page.Content.Headers.ContentType?.MediaType, page.Content.Headers.ContentType?.CharSet));
        Assert.Contains("script-src 'sha256-", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("<body data-auth=\"tokens\">", await page.Content.ReadAsStringAsync());

        foreach (string url in new[] { "/api/whoami", "/api/drills", "/api/sites", $"/drills/{Report}/report.html" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);

        Assert.Equal(new WhoAmIView("vera", "viewer"), await vera.GetFromJsonAsync<WhoAmIView>("/api/whoami", ApiJson.Options));
        Assert.Equal("[]", await vera.GetStringAsync("/api/sites")); // none declared: the page hides its Sites panel
        using (var bob = Client(pair, "BOB_TOKEN"))
            Assert.Equal(new WhoAmIView("bob", "approver"), await bob.GetFromJsonAsync<WhoAmIView>("/api/whoami", ApiJson.Options));

        DrillListingPage drills = (await vera.GetFromJsonAsync<DrillListingPage>("/api/drills", ApiJson.Options))!;
        DrillListing drill = Assert.Single(drills.Drills);
        Assert.Equal((Report, "web primary crash", "passed", 1234.0), (drill.Folder, drill.Name, drill.Verdict, drill.RtoMs));
        Assert.Equal(["report.html", "report.json", "samples.csv"], drill.Files.Order());

        var html = await vera.GetAsync($"/drills/{Report}/report.html");
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("sandbox;", html.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("<h1>Failover drill: web primary crash</h1>", await html.Content.ReadAsStringAsync());
        Assert.Equal("text/csv", (await vera.GetAsync($"/drills/{Report}/samples.csv")).Content.Headers.ContentType?.MediaType);

        string[] outside =
        [
            $"/drills/{Report}/report.md", // not there
            $"/drills/{Report}/understudy.yaml",
            $"/drills/{Report}/..%2F..%2Funderstudy.yaml",
            "/drills/..%2F..%2F/understudy.yaml",
            "/drills/%2E%2E/report.json",
            "/drills/..%2Fdrills%2F" + Report + "/report.json",
            "/drills/2026-11-23-nothing/report.html",
        ];
        foreach (string url in outside)
            Assert.True((await vera.GetAsync(url)).StatusCode == HttpStatusCode.NotFound, url);
    }
}
