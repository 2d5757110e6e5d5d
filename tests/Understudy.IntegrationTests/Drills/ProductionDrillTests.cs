using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary>A production drill on a service that needs one approval: refused without it, run once on an approved request for its exact file.</summary>
[Collection(RealProcesses.Name)]
public partial class ProductionDrillTests
{
    private const string AliceToken = "alice-0123456789abcdef", BobToken = "bob-0123456789abcdef01";

    [Fact]
    public async Task Run_Production_RefusedUntilASecondPersonApprovesThisFile_ThenRunsOnce()
    {
        await using var pair = await ApprovingPairAsync();
        await using var controller = await pair.StartControllerAsync(AliceToken, Tokens);
        string yaml = DrillRun.Yaml(pair, faults: "  - exec: [sh, -c, \"exit 0\"]", extra: "environment: production");
        string file = pair.Dir.File("drill.yaml");

        var refused = await DrillRun.RunAsAsync(AliceToken, pair.Dir, yaml, "--confirm-production");
        Assert.True(refused.Cli.ExitCode == 2, refused.Cli.Out + refused.Cli.Err);
        Assert.Contains("needs an approved drill request for this file", refused.Cli.Err);
        Assert.Contains("none was made", refused.Cli.Err);
        Assert.Null(refused.Report);

        var requested = await Cli(AliceToken, "drill", "request", file, "--reason", "quarterly production drill");
        Assert.True(requested.ExitCode == 0, requested.Out + requested.Err);
        string id = RequestId().Match(requested.Out).Value;
        var own = await Cli(AliceToken, "approve", id, "--api", $"http://127.0.0.1:{pair.ApiPort}");
        Assert.True(own.ExitCode == 2, own.Out + own.Err);
        Assert.Contains("another person must approve it", own.Err);
        var approved = await Cli(BobToken, "approve", id, "--api", $"http://127.0.0.1:{pair.ApiPort}");
        Assert.True(approved.ExitCode == 0, approved.Out + approved.Err);
        Assert.Contains($"{id}: drill 'kill the primary' on web: approved, approvals 1/1 bob", approved.Out);

        var changed = await DrillRun.RunAsAsync(AliceToken, pair.Dir, yaml + "\n# edited after the approval", "--confirm-production");
        Assert.True(changed.Cli.ExitCode == 2, changed.Cli.Out + changed.Cli.Err);
        Assert.Contains("another version of the file", changed.Cli.Err);

        var run = await DrillRun.RunAsAsync(AliceToken, pair.Dir, yaml, "--confirm-production");
        Assert.True(run.Report is not null, run.Cli.Out + run.Cli.Err);
        Assert.Contains($"production drill allowed by drill request {id} (approved by bob)", run.Cli.Out);

        var again = await DrillRun.RunAsAsync(AliceToken, pair.Dir, yaml, "--confirm-production");
        Assert.True(again.Cli.ExitCode == 2, again.Cli.Out + again.Cli.Err);
        Assert.Contains($"{id} is used", again.Cli.Err);
        Assert.Equal(["alice"], (await controller.EventsAsync("web", EventTypes.DrillApprovalUsed)).Select(e => e.Actor));
        Assert.Equal(["bob"], (await controller.EventsAsync("web", EventTypes.DrillApproved)).Select(e => e.Actor));
    }

    [Fact]
    public async Task DrillRequestApi_BadInput_IsAProblemNamingTheField_AndJournalsNothing()
    {
        await using var pair = await ApprovingPairAsync();
        await using var controller = await pair.StartControllerAsync(AliceToken, Tokens);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", AliceToken);
        string digest = new('0', 64);

        async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        await AssertProblem(await http.PostAsJsonAsync("/api/drills/requests", new { service = "web", name = "x", digest = "ABC", reason = "r" }),
            HttpStatusCode.BadRequest, "digest: expected the drill file's SHA-256 as 64 lowercase hex digits, got 'ABC'");
        await AssertProblem(await http.PostAsJsonAsync("/api/drills/requests", new { service = "web", name = "x", digest }),
            HttpStatusCode.BadRequest, "reason: required");
        await AssertProblem(await http.PostAsJsonAsync("/api/drills/requests", new { service = "web", name = " ", digest, reason = "r" }),
            HttpStatusCode.BadRequest, "name: required");
        await AssertProblem(await http.PostAsJsonAsync("/api/drills/requests", new { service = "db", name = "x", digest, reason = "r" }),
            HttpStatusCode.NotFound, "service: no service 'db'");
        await AssertProblem(await http.PostAsJsonAsync("/api/drills/authorize", new { service = "web", name = "x", digest }),
            HttpStatusCode.Conflict, "none was made");
        await AssertProblem(await http.PostAsJsonAsync("/api/drills/requests/d-00000000/approve", new { }),
            HttpStatusCode.NotFound, "id: no drill request 'd-00000000'");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync("/api/drills/authorize", new { service = "web", name = "x", digest, dry_run = true })).StatusCode);
        Assert.Empty(await controller.EventsAsync("web", EventTypes.DrillRequested));
    }

    private static readonly Dictionary<string, string> Tokens = new() { ["ALICE_TOKEN"] = AliceToken, ["BOB_TOKEN"] = BobToken };

    /// <summary>Service web needs one approval; alice and bob are both approvers, so only "not your own" keeps alice from approving hers.</summary>
    private static Task<WebPair> ApprovingPairAsync() => WebPair.StartAsync(failover: "{ mode: automatic, cooldown: 0s, approvals: 1 }", controllerExtra:
        """auth: { tokens: [ { name: alice, role: approver, token: "${ALICE_TOKEN}" }, { name: bob, role: approver, token: "${BOB_TOKEN}" } ] }""");

    private static Task<CliRunner.Result> Cli(string token, params string[] args) =>
        CliRunner.RunAsync(new Dictionary<string, string> { ["UNDERSTUDY_TOKEN"] = token }, args);

    [GeneratedRegex(@"\bd-[0-9a-f]{8}\b")]
    private static partial Regex RequestId();
}
