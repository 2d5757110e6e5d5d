using System.Net;
using System.Net.Http.Json;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

[Collection(RealProcesses.Name)]
public class DrillFaultTests
{
    [Fact]
    public async Task Run_BlackholeThePrimary_FailsOverOnCheckTimeoutsAndRollbackClearsTheFault()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair,
            faults: "  - proxy: { member: web-a, fault: blackhole, duration: 60s }",
            probes: $"  - {{ name: port, tcp: {{ address: 127.0.0.1:{pair.ProxyPort}, interval: 50ms, timeout: 2s }} }}"));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        Assert.All(["recovered", "rto"], name => Assert.True(report.Criteria.Single(c => c.Name == name).Passed, string.Join("\n", report.Issues)));
        Assert.Equal("web-b", (await controller.ServiceAsync("web")).Routable);
        // Detected by checks timing out (fall 3 × timeout 150 ms), not by a refused connect.
        Assert.Contains(report.Events, e => e.Type == EventTypes.MemberDown && e.Reason.Contains("timeout after 150 ms"));
        StepRecord cleared = Assert.Single(report.Steps, s => s.Step == "clear the proxy fault toward web-a");
        Assert.True(cleared.Ok);
        Assert.Single(await controller.EventsAsync("web", EventTypes.FaultCleared));
        Assert.Contains(report.Events, e => e.Type == EventTypes.FaultInjected && e.Actor == Actors.Drill);
    }

    [Fact]
    public async Task Run_ManualStepWithNobodyAtTheKeyboard_FailsPromptlyAndAborts()
    {
        using var dir = new TempDir();
        var run = await DrillRun.RunAsync(dir, """
            name: needs a person
            probes: [ { name: p, tcp: { address: 127.0.0.1:1, interval: 100ms } } ]
            steady_state: { duration: 0s, max_error_rate: 1 }
            faults:
              - manual: { instruction: "pull the cable", timeout: 5m }
            """);

        Assert.Equal(3, run.Cli.ExitCode);
        Assert.StartsWith("fault step failed: manual: pull the cable: no operator input", run.Report!.AbortReason);
    }

    [Theory]
    [InlineData("{\"kind\":\"latency,reset\",\"duration\":\"5s\"}", 400, "kind: expected blackhole, latency or reset, got 'latency,reset'")]
    [InlineData("{\"kind\":\"latency\",\"duration\":\"5s\",\"latency_ms\":1e300}", 400, "latency_ms, jitter_ms: expected numbers of milliseconds from 0 to 60000")]
    [InlineData("{\"kind\":\"blackhole\",\"duration\":\"2h\"}", 400, null)]
    [InlineData("not json", 400, null)]
    public async Task FaultApi_BadBody_Is400WithAProblem(string body, int status, string? detail)
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);
        using var http = new HttpClient();

        var response = await http.PostAsync($"http://127.0.0.1:{pair.ApiPort}/api/services/web/members/web-a/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var unknown = await http.PostAsync($"http://127.0.0.1:{pair.ApiPort}/api/services/web/members/web-z/faults", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (detail is not null) Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(await controller.EventsAsync("web", EventTypes.FaultInjected));
    }
}
