using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

[Collection(RealProcesses.Name)]
public class ApiTests
{
    [Theory]
    [InlineData("/api/events?since=yesterday", "since: expected an ISO 8601 time such as 2026-11-22T12:00:00Z, got 'yesterday'")]
    [InlineData("/api/events?limit=0", "limit: expected 1 to 1000, got 0")]
    [InlineData("/api/events?limit=many", "limit: expected 1 to 1000, got many")]
    [InlineData("/api/events?after=-3", "after: expected an event id (a whole number), got -3")]
    [InlineData("/api/events?order=newest", "order: expected asc (oldest first, the default) or desc (newest first), got newest")]
    [InlineData("/api/events?order=desc&before=last", "before: expected an event id (a whole number), got last")]
    public async Task Events_BadQuery_Is400WithAProblemBody(string url, string? detail)
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);
        using var http = new HttpClient();

        var response = await http.GetAsync($"http://127.0.0.1:{pair.ApiPort}{url}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (detail is not null)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(detail, body.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Events_NewestFirst_PagesBackThroughTheSameEventsAsOldestFirst()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };
        await Eventually.TrueAsync(async () => (await controller.EventsAsync()).Count >= 3, "a few events journaled");
        var all = (await http.GetFromJsonAsync<JsonElement>("/api/events")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();

        var newest = new List<long>();
        string url = "/api/events?order=desc&limit=2";
        for (int pages = 0; pages < 100; pages++)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(url);
            newest.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            if (page.GetProperty("next_before").ValueKind == JsonValueKind.Null) break;
            url = $"/api/events?order=desc&limit=2&before={page.GetProperty("next_before").GetInt64()}";
        }

        // Events journaled after the first read come first in the newest-first pages: compare from where the two meet.
        Assert.Equal(all.AsEnumerable().Reverse(), newest.SkipWhile(id => id > all[^1]));
    }

    [Fact]
    public async Task Guards_WithoutTokens_CrossSiteShapedRequestsAreRefused()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };

        // What a web page may send without a CORS preflight: a text/plain POST. It must not switch anything over.
        var plain = await http.PostAsync("/api/services/web/switchover", new StringContent("{\"reason\":\"x\"}"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        // A DNS-rebound page reaches 127.0.0.1 under its own name.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/status") { Headers = { Host = $"evil.example:{pair.ApiPort}" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebound)).StatusCode);
        // A misspelt dry_run is refused rather than carried out.
        var typo = await http.PostAsJsonAsync("/api/services/web/switchover", new { reason = "x", dryRun = true });
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        Assert.Equal(1L, (await controller.ServiceAsync("web")).Epoch);
        Assert.Empty(await controller.EventsAsync("web", Core.Journal.EventTypes.RequestCreated));
    }
}
