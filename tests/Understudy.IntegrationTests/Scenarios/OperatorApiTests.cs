using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Probes;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

/// <summary>The operators' API and CLI against a real controller with tokens: auth, approvals, pause, dry run, bad input.</summary>
[Collection(RealProcesses.Name)]
public class OperatorApiTests
{
    private static readonly Dictionary<string, string> Tokens = new()
    {
        ["ALICE_TOKEN"] = "alice-0123456789abcdef", ["BOB_TOKEN"] = "bob-0123456789abcdef",
        ["CAROL_TOKEN"] = "carol-0123456789abcdef", ["VERA_TOKEN"] = "vera-0123456789abcdef",
    };

    private const string Auth = """auth: { tokens: [ { name: alice, role: operator, token: "${ALICE_TOKEN}" }, { name: bob, role: approver, token: "${BOB_TOKEN}" }, { name: carol, role: admin, token: "${CAROL_TOKEN}" }, { name: vera, role: viewer, token: "${VERA_TOKEN}" } ] }""";

    private static async Task<(WebPair Pair, ControllerProcess Controller)> StartAsync(string failover)
    {
        var pair = await WebPair.StartAsync(failover: failover, controllerExtra: Auth);
        return (pair, await pair.StartControllerAsync(Tokens["CAROL_TOKEN"], Tokens));
    }

    private static HttpClient Client(WebPair pair, string? tokenVariable)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}"), Timeout = TimeSpan.FromSeconds(10) };
        if (tokenVariable is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[tokenVariable]);
        return http;
    }

    private static Dictionary<string, string> As(WebPair pair, string tokenVariable) =>
        new() { ["UNDERSTUDY_API"] = $"http://127.0.0.1:{pair.ApiPort}", ["UNDERSTUDY_TOKEN"] = Tokens[tokenVariable] };

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(detailContains, doc.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Api_AuthRolesAndBadInput_AnswerAsProblemBodies_NeverA500()
    {
        var (pair, controller) = await StartAsync("{ mode: automatic, cooldown: 0s, approvals: 1 }");
        await using var _ = pair;
        await using var __ = controller;
        using var anonymous = Client(pair, null);
        using var vera = Client(pair, "VERA_TOKEN");
        using var alice = Client(pair, "ALICE_TOKEN");

        await AssertProblemAsync(await anonymous.GetAsync("/api/status"), HttpStatusCode.Unauthorized, "no token");
        Assert.Equal("Bearer", (await anonymous.GetAsync("/api/events")).Headers.WwwAuthenticate.Single().Scheme);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/status") { Headers = { Authorization = new("Bearer", "not-a-token-of-ours") } })
            await AssertProblemAsync(await anonymous.SendAsync(wrong), HttpStatusCode.Unauthorized, "not one of controller.auth.tokens");
        Assert.Equal(HttpStatusCode.OK, (await vera.GetAsync("/api/status")).StatusCode);
        await AssertProblemAsync(await vera.PostAsJsonAsync("/api/services/web/switchover", new { reason = "test" }), HttpStatusCode.Forbidden, "vera has role viewer; this needs operator");
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/requests/r-00000000/approve", new { }), HttpStatusCode.Forbidden, "alice has role operator; this needs approver");
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/services/web/failover", new { reason = "x", force = true, dry_run = true }), HttpStatusCode.Forbidden,
            "force: alice has role operator; a forced failover accepts losing writes or two writable primaries, so this needs admin");

        // Load balancers and tools read these without a token.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/services/web/members/web-a/primary")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/services/web/members/web-b/primary")).StatusCode);
        string openapi = await anonymous.GetStringAsync("/openapi.json");
        Assert.Contains("/api/services/{service}/switchover", openapi);
        Assert.Contains("/api/requests/{id}/approve", openapi);

        using var json = new StringContent("{\"reason\": ", Encoding.UTF8, "application/json");
        await AssertProblemAsync(await alice.PostAsync("/api/services/web/switchover", json), HttpStatusCode.BadRequest, "body:");
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/services/web/switchover", new { reason = 5 }), HttpStatusCode.BadRequest, "reason");
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/services/web/switchover", new { to = "web-b" }), HttpStatusCode.BadRequest, "reason: required");
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/services/nope/switchover", new { reason = "x" }), HttpStatusCode.NotFound, "no service 'nope'");
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/services/web/switchover", new { to = "web-z", reason = "x" }), HttpStatusCode.NotFound, "no member 'web-z'");
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/services/web/failover", new { reason = "x" }), HttpStatusCode.Conflict, "primary web-a is not down");
        var huge = new StringContent($"{{\"reason\": \"{new string('x', 100_000)}\"}}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await alice.PostAsync("/api/services/web/switchover", huge)).StatusCode);
        await AssertProblemAsync(await alice.GetAsync("/api/requests/r-nothing"), HttpStatusCode.NotFound, "no request 'r-nothing'");
        Assert.DoesNotContain(Tokens["ALICE_TOKEN"], controller.Output);
    }

    [Fact]
    public async Task Switchover_ThroughTheCliWithTwoPeople_SelfApprovalRefused_MovesTrafficWithNoFailedRequest()
    {
        var (pair, controller) = await StartAsync("{ mode: automatic, cooldown: 0s, approvals: 1 }");
        await using var _ = pair;
        await using var __ = controller;
        using var probe = new HttpProbe(new ProbeSpec("web", ProbeKind.Http, pair.ProxyUrl.ToString(), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(8)), TimeProvider.System);
        using var stopProbe = new CancellationTokenSource();
        Task load = probe.RunAsync(stopProbe.Token);

        var request = await CliRunner.RunAsync(As(pair, "ALICE_TOKEN"), "switchover", "web", "--to", "web-b", "--reason", "patch web-a", "--json");
        Assert.True(request.ExitCode == 0, request.Err);
        string id = JsonSerializer.Deserialize<RequestView>(request.Out, ApiJson.Options)!.Id;
        Assert.Equal("web-a", (await controller.ServiceAsync("web")).Routable); // waiting for a second person

        var self = await CliRunner.RunAsync(As(pair, "ALICE_TOKEN"), "approve", id);
        Assert.Equal(2, self.ExitCode); // alice is an operator: approving needs approver, and she is the requester anyway
        var bobApproves = await CliRunner.RunAsync(As(pair, "BOB_TOKEN"), "approve", id, "--comment", "looks right", "--wait");
        Assert.True(bobApproves.ExitCode == 0, bobApproves.Out + bobApproves.Err);

        var web = await controller.ServiceAsync("web");
        Assert.Equal(("web-b", 2L, "steady"), (web.Routable, web.Epoch, web.Phase));
        DateTimeOffset switched = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Start > switched) >= 10, "ten more attempts after the switch, on the new primary");
        await stopProbe.CancelAsync();
        await load;
        Assert.All(probe.Samples, s => Assert.True(s.Ok, $"attempt {s.Seq} failed: {s.Error}"));

        var events = await controller.EventsAsync("web");
        Assert.Equal("alice", Assert.Single(events, e => e.Type == EventTypes.RequestCreated).Actor);
        Assert.Equal("bob", Assert.Single(events, e => e.Type == EventTypes.RequestApproved).Actor);
        Assert.Equal("alice", Assert.Single(events, e => e.Type == EventTypes.SwitchoverStarted).Actor);
        Assert.Single(events, e => e.Type == EventTypes.SwitchoverCompleted);
        Assert.False(web.Members.Single(m => m.Name == "web-a").NeedsRejoin);
    }

    [Fact]
    public async Task Requests_DryRunChangesNothing_SelfApprovalRefused_ExpiredRequestCannotBeApproved()
    {
        var (pair, controller) = await StartAsync("{ mode: automatic, cooldown: 0s, approvals: 1, approval_timeout: 1s }");
        await using var _ = pair;
        await using var __ = controller;
        using var carol = Client(pair, "CAROL_TOKEN");
        using var bob = Client(pair, "BOB_TOKEN");

        var dry = await carol.PostAsJsonAsync("/api/services/web/switchover", new { reason = "rehearsal", dry_run = true });
        PlanView plan = (await dry.Content.ReadFromJsonAsync<PlanView>(ApiJson.Options))!;
        Assert.Equal(("web-a", "web-b", 1), (plan.From, plan.To, plan.ApprovalsNeeded));
        Assert.Contains(plan.Steps, s => s.Contains("epoch 2"));
        Assert.Empty(await controller.EventsAsync("web", EventTypes.RequestCreated));

        var made = await carol.PostAsJsonAsync("/api/services/web/switchover", new { reason = "patch" });
        Assert.Equal(HttpStatusCode.Accepted, made.StatusCode);
        RequestView request = (await made.Content.ReadFromJsonAsync<RequestView>(ApiJson.Options))!;
        Assert.Equal("awaiting_approval", request.State);
        await AssertProblemAsync(await carol.PostAsJsonAsync($"/api/requests/{request.Id}/approve", new { }), HttpStatusCode.Forbidden, "cannot approve it");

        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.RequestExpired)).Count == 1, "the request to expire");
        await AssertProblemAsync(await bob.PostAsJsonAsync($"/api/requests/{request.Id}/approve", new { }), HttpStatusCode.Conflict, "already expired");
        Assert.Equal("expired", (await bob.GetFromJsonAsync<RequestView>($"/api/requests/{request.Id}", ApiJson.Options))!.State);
        Assert.Equal((1L, "web-a"), ((await controller.ServiceAsync("web")).Epoch, (await controller.ServiceAsync("web")).Routable));
        Assert.Contains(await controller.EventsAsync("web", EventTypes.RequestRefused), e => e.Actor == "carol");
    }

    [Fact]
    public async Task Pause_PrimaryKilled_NothingFailsOver_UntilResumed()
    {
        var (pair, controller) = await StartAsync("{ mode: automatic, cooldown: 0s }");
        await using var _ = pair;
        await using var __ = controller;

        var paused = await CliRunner.RunAsync(As(pair, "ALICE_TOKEN"), "pause", "web", "--reason", "kernel upgrade");
        Assert.True(paused.ExitCode == 0, paused.Err);
        pair.A.Kill();
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.FailoverHeld)).Any(e => e.Details["reason"]!.ToString()!.Contains("paused by alice")), "failover.held for the pause");
        Assert.Empty(await controller.EventsAsync("web", EventTypes.FailoverStarted));
        Assert.Equal("web-a", (await controller.ServiceAsync("web")).Primary);

        var resumed = await CliRunner.RunAsync(As(pair, "ALICE_TOKEN"), "resume", "web");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Routable == "web-b", "failover after resume");
        Assert.Equal("controller", Assert.Single(await controller.EventsAsync("web", EventTypes.FailoverStarted)).Actor);
        Assert.Equal("alice", Assert.Single(await controller.EventsAsync("web", EventTypes.ServicePaused)).Actor);
    }

    [Fact]
    public async Task ManualFailover_RequestedAndApproved_PromotesTheStandby_ActorsJournaled()
    {
        var (pair, controller) = await StartAsync("{ mode: manual, approvals: 1 }");
        await using var _ = pair;
        await using var __ = controller;
        using var alice = Client(pair, "ALICE_TOKEN");
        using var bob = Client(pair, "BOB_TOKEN");

        pair.A.Kill();
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.FailoverHeld)).Count > 0, "failover.held (manual mode)");
        var made = await alice.PostAsJsonAsync("/api/services/web/failover", new { reason = "web-a host lost" });
        RequestView request = (await made.Content.ReadFromJsonAsync<RequestView>(ApiJson.Options))!;
        Assert.Equal(("web-b", "awaiting_approval"), (request.To, request.State));

        var approved = await bob.PostAsJsonAsync($"/api/requests/{request.Id}/approve", new { comment = "confirmed with the host team" });
        Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        await Eventually.TrueAsync(async () => (await bob.GetFromJsonAsync<RequestView>($"/api/requests/{request.Id}", ApiJson.Options))!.State == "completed", "the request to complete");

        var web = await controller.ServiceAsync("web");
        Assert.Equal(("web-b", 2L), (web.Routable, web.Epoch));
        Assert.True(web.Members.Single(m => m.Name == "web-a").NeedsRejoin);
        EventView started = Assert.Single(await controller.EventsAsync("web", EventTypes.FailoverStarted));
        Assert.Equal(("alice", request.Id), (started.Actor, started.Details["request"]?.ToString()));
    }
}
