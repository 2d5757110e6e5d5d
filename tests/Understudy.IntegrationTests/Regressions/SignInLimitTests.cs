using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Metrics;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13, items 12 and 13: failed sign-ins were unlimited and unrecorded, and an endpoint added without an
/// authorization call was open to anyone. Now: 429 after ten a minute, counted, one journal record per window; default deny.
/// </summary>
[Collection(RealProcesses.Name)]
public class SignInLimitTests
{
    private const string Token = "alice-0123456789abcdef";
    private static readonly Dictionary<string, string> Environment = new() { ["ALICE_TOKEN"] = Token, ["UNDERSTUDY_DIGEST_WINDOW"] = "5" };

    [Fact]
    public async Task BadTokens_EleventhIs429ForThatClientOnly_CountedAndJournaledOnce()
    {
        await using var pair = await WebPair.StartAsync(controllerExtra: """auth: { tokens: [ { name: alice, role: admin, token: "${ALICE_TOKEN}" } ] }""");
        await using var controller = await pair.StartControllerAsync(Token, Environment);
        using var guesser = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}"), Timeout = TimeSpan.FromSeconds(10) };
        using var colleague = SourceAddress.Client(IPAddress.Parse("127.0.0.2"), pair.ApiPort, Token);

        for (int i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(guesser, $"guess-{i}-0123456789abcdef")).StatusCode);
        using HttpResponseMessage eleventh = await SendAsync(guesser, "guess-10-0123456789abcdef");
        Assert.Equal(HttpStatusCode.TooManyRequests, eleventh.StatusCode);
        Assert.Equal("application/problem+json", eleventh.Content.Headers.ContentType?.MediaType);
        Assert.InRange(eleventh.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        // The right token does not help the guesser; a load balancer without one, and another client, are not held back.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(guesser, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await guesser.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.GetAsync("/api/status")).StatusCode);

        MetricsPage page = await MetricsPage.ReadAsync(colleague);
        Assert.Equal(10, page.Value("understudy_api_auth_failures_total"));
        Assert.Equal(2, page.Value("understudy_api_rate_limited_total"));

        // One record for the whole window (SingleOrDefault throws on a second).
        EventView record = await Eventually.GetAsync(async () =>
            (await colleague.GetFromJsonAsync<EventsPage>($"/api/events?type={EventTypes.ApiAuthFailed}", ApiJson.Options))!.Events.SingleOrDefault(),
            "the window's api.auth_failed");
        Assert.Equal((10, 2, 1), (Detail(record, "count"), Detail(record, "limited"), Detail(record, "client_count")));
        Assert.Equal("127.0.0.1", ((JsonElement)record.Details["clients"]!)[0].GetString());
    }

    [Fact]
    public async Task PathThatMatchesNothing_WithoutAToken_IsDenied_NotA404()
    {
        await using var pair = await WebPair.StartAsync(controllerExtra: """auth: { tokens: [ { name: alice, role: admin, token: "${ALICE_TOKEN}" } ] }""");
        await using var controller = await pair.StartControllerAsync(Token, Environment);
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/not-an-endpoint")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await controller.Http.GetAsync("/api/not-an-endpoint")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ready")).StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/status") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        return http.SendAsync(request);
    }

    private static int Detail(EventView e, string key) => ((JsonElement)e.Details[key]!).GetInt32();
}
