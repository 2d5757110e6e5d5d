using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary>A production drill on a schedule: skipped until two people approve its file once (--standing), then run again and again on that one approval.</summary>
public partial class ProductionDrillTests
{
    [Fact]
    public async Task Schedule_Production_SkippedUntilAStandingApproval_ThenEveryRunUsesIt()
    {
        await using var pair = await WebPair.StartAsync(failover: "{ mode: automatic, cooldown: 0s, approvals: 1 }", controllerExtra:
            """auth: { tokens: [ { name: alice, role: approver, token: "${ALICE_TOKEN}" }, { name: bob, role: approver, token: "${BOB_TOKEN}" } ] }""",
            topLevel: """
            drills:
              - { file: drill.yaml, cron: "*/3 * * * * *", environment: production }
            """);
        string file = pair.Dir.File("drill.yaml");
        await File.WriteAllTextAsync(file, DrillRun.Yaml(pair, faults: "  - exec: [sh, -c, \"exit 0\"]",
            steady: "{ duration: 0s, max_error_rate: 0 }", recovery: "{ timeout: 20s, stable_for: 500ms }", extra: "environment: production"));
        // The scheduled runs take the drill lock and ask for their approval with the controller's own operator token.
        await using var controller = await pair.StartControllerAsync(AliceToken, new Dictionary<string, string>(Tokens) { ["UNDERSTUDY_TOKEN"] = AliceToken });

        EventView skipped = await Eventually.GetAsync(async () => (await controller.EventsAsync("web", EventTypes.DrillSkipped)).FirstOrDefault(),
            $"a production run skipped for want of an approval\n{controller.Output}");
        Assert.Contains("a production schedule needs a standing approval", skipped.Details["why"]?.ToString());
        Assert.Empty(await controller.EventsAsync("web", EventTypes.DrillCompleted));

        var requested = await Cli(AliceToken, "drill", "request", file, "--standing", "--reason", "nightly production drill");
        Assert.True(requested.ExitCode == 0, requested.Out + requested.Err);
        string id = RequestId().Match(requested.Out).Value;
        var approved = await Cli(BobToken, "approve", id, "--api", $"http://127.0.0.1:{pair.ApiPort}");
        Assert.True(approved.ExitCode == 0, approved.Out + approved.Err);

        var completed = await Eventually.GetAsync(async () => await controller.EventsAsync("web", EventTypes.DrillCompleted) is { Count: >= 2 } runs ? runs : null,
            $"two scheduled production runs on one standing approval\n{controller.Output}");
        Assert.All(completed, c => Assert.Equal("passed", c.Details["verdict"]?.ToString()));
        var used = await controller.EventsAsync("web", EventTypes.DrillApprovalUsed);
        Assert.True(used.Count >= 2, $"{used.Count} uses");
        Assert.All(used, u => Assert.Equal(id, u.Details["request"]?.ToString()));
    }
}
