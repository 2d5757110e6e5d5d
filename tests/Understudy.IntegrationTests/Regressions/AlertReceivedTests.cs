using Understudy.Core.Drills;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13 item 14: a drill's alert_received passed on the decider's journal-only alert.raised even when every
/// configured channel failed, so "the alert arrived" could be reported while nobody was told.
/// </summary>
[Collection(RealProcesses.Name)]
public class AlertReceivedTests
{
    [Fact]
    public async Task ChannelsConfiguredButNoneDelivers_AlertReceivedFails()
    {
        // Nothing listens there: every delivery is refused, so the journal has alert.raised but no alert.delivered.
        await using var pair = await WebPair.StartAsync(topLevel: $$"""
            alerts:
              - webhook: { url: "http://127.0.0.1:{{FreePort.Next()}}/hook" }
            """);
        await using var controller = await pair.StartControllerAsync();

        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair, faults: "  - kill_process: { member: web-a, signal: KILL }",
            extra: "verify:\n  - alert_received: { within: 3s }"));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        Criterion alert = report.Criteria.Single(c => c.Name == "alert_received");
        Assert.False(alert.Passed);
        Assert.Contains("alert.delivered", alert.Detail);
        Assert.NotEmpty(await controller.EventsAsync("web", Core.Journal.EventTypes.AlertRaised));
    }
}
