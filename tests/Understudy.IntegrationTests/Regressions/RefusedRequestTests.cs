using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>Issue 13, item 12: a token holder repeating a refused request journaled one request.refused per attempt.</summary>
[Collection(RealProcesses.Name)]
public class RefusedRequestTests
{
    private const string Token = "alice-0123456789abcdef";

    [Fact]
    public async Task SelfApprovalRepeated_EveryOneRefused_JournaledOnceThenOnceWithTheCount()
    {
        var environment = new Dictionary<string, string> { ["ALICE_TOKEN"] = Token, ["UNDERSTUDY_DIGEST_WINDOW"] = "3" };
        await using var pair = await WebPair.StartAsync(failover: "{ mode: automatic, cooldown: 0s, approvals: 1 }",
            controllerExtra: """auth: { tokens: [ { name: alice, role: approver, token: "${ALICE_TOKEN}" } ] }""");
        await using var controller = await pair.StartControllerAsync(Token, environment);
        using var alice = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}"), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        using var requested = await alice.PostAsJsonAsync("/api/services/web/switchover", new { reason = "kernel update" });
        string id = (await requested.Content.ReadFromJsonAsync<RequestView>(ApiJson.Options))!.Id;

        for (int i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync($"/api/requests/{id}/approve", new { })).StatusCode);

        // The first refusal as it happened, then one record for the 19 repeats once the window closed.
        var refused = await Eventually.GetAsync(async () => await controller.EventsAsync("web", EventTypes.RequestRefused) is { Count: >= 2 } both ? both : null,
            "the record that closes the window");
        Assert.Equal(2, refused.Count);
        Assert.False(refused[0].Details.ContainsKey("repeated"));
        Assert.Equal(19, ((JsonElement)refused[1].Details["repeated"]!).GetInt32());
        Assert.Equal(("alice", "approve"), (refused[1].Actor, ((JsonElement)refused[1].Details["action"]!).GetString()));
    }
}
