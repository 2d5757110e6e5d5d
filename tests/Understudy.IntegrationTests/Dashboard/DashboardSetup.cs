using System.Net.Http.Headers;
using Microsoft.Playwright;
using Understudy.IntegrationTests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Understudy.IntegrationTests.Dashboard;

/// <summary>
/// A <see cref="WebPair"/> whose controller has tokens (viewer vera, operator alice, approver bob), one
/// approval for requests, and a drills_dir holding one drill's report folder; optionally two sites.
/// </summary>
internal static class DashboardSetup
{
    public static readonly Dictionary<string, string> Tokens = new()
    {
        ["ALICE_TOKEN"] = "alice-0123456789abcdef", ["BOB_TOKEN"] = "bob-0123456789abcdef", ["VERA_TOKEN"] = "vera-0123456789abcdef",
    };

    public const string Report = "2026-11-22-web-primary-crash";

    public static readonly LocatorAssertionsToHaveTextOptions Patiently = new() { Timeout = (float)Eventually.Deadline.TotalMilliseconds };

    private const string Controller = """
        drills_dir: drills
          auth: { tokens: [ { name: alice, role: operator, token: "${ALICE_TOKEN}" }, { name: bob, role: approver, token: "${BOB_TOKEN}" }, { name: vera, role: viewer, token: "${VERA_TOKEN}" } ] }
        """;

    /// <param name="sites">web-a in site east, web-b in west, and <c>sites.east: [web]</c>.</param>
    public static async Task<(WebPair Pair, ControllerProcess Controller)> StartAsync(bool sites = false)
    {
        var pair = await WebPair.StartAsync(failover: "{ mode: automatic, cooldown: 0s, approvals: 1 }", controllerExtra: Controller,
            sites: sites ? ("east", "west") : null, topLevel: sites ? "sites: { east: { services: [web] } }" : "");
        string folder = pair.Dir.File(Path.Combine("drills", Report));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.json"),
            """{ "schema_version": 1, "name": "web primary crash", "verdict": "passed", "rto_ms": 1234, "started_at": "2026-11-22T12:00:00.000Z" }""");
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Failover drill: web primary crash (passed)</title>
            <style>h1 { color: green }</style></head>
            <body><h1>Failover drill: web primary crash</h1><p>Verdict: passed</p></body></html>
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "samples.csv"), "probe,seq,start,end,ok,error\n");
        return (pair, await pair.StartControllerAsync(Tokens["VERA_TOKEN"], Tokens));
    }

    public static HttpClient Client(WebPair pair, string? tokenVariable)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}"), Timeout = TimeSpan.FromSeconds(10) };
        if (tokenVariable is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[tokenVariable]);
        return http;
    }

    /// <summary>The dashboard in a new page of <paramref name="browser"/>; <paramref name="errors"/> collects the console's errors and the page's exceptions.</summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, WebPair pair, List<string> errors)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync($"http://127.0.0.1:{pair.ApiPort}/");
        return page;
    }

    public static async Task SignInAsync(IPage page, string tokenVariable, string who)
    {
        await page.GetByLabel("API token").FillAsync(Tokens[tokenVariable]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByText($"Signed in as {who}")).ToBeVisibleAsync();
    }
}
