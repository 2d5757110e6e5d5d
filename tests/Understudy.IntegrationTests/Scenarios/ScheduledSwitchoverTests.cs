using System.Globalization;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

/// <summary>A switchover scheduled through the CLI, at a time or in a maintenance window, runs then and not before.</summary>
[Collection(RealProcesses.Name)]
public class ScheduledSwitchoverTests
{
    private static Dictionary<string, string> Api(WebPair pair) => new() { ["UNDERSTUDY_API"] = $"http://127.0.0.1:{pair.ApiPort}" };

    [Fact]
    public async Task At_RunsAtItsTimeAndNotBefore()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        DateTimeOffset at = DateTimeOffset.UtcNow.AddSeconds(4);
        string when = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        at = DateTimeOffset.Parse(when, CultureInfo.InvariantCulture);

        var request = await CliRunner.RunAsync(Api(pair), "switchover", "web", "--to", "web-b", "--reason", "patch web-a tonight", "--at", when, "--json");

        Assert.True(request.ExitCode == 0, request.Out + request.Err);
        RequestView view = JsonSerializer.Deserialize<RequestView>(request.Out, ApiJson.Options)!;
        Assert.Equal(("scheduled", at), (view.State, view.NotBefore));
        Assert.Equal("web-a", (await controller.ServiceAsync("web")).Routable);
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Routable == "web-b", "the scheduled switchover", TimeSpan.FromSeconds(30));
        EventView started = Assert.Single(await controller.EventsAsync("web", EventTypes.SwitchoverStarted));
        Assert.True(started.Time >= at, $"started at {started.Time:O}, before {at:O}");
    }

    [Fact]
    public async Task InWindow_RunsInsideTheNextWindow_AndAFailoverCannotBeScheduled()
    {
        // A window of 2 s every 10 s (6 fields: seconds first).
        await using var pair = await WebPair.StartAsync(serviceExtra: "maintenance: { cron: \"*/10 * * * * *\", duration: 2s }");
        await using var controller = await pair.StartControllerAsync();

        var request = await CliRunner.RunAsync(Api(pair), "switchover", "web", "--to", "web-b", "--reason", "in the window", "--in-window", "--json");

        Assert.True(request.ExitCode == 0, request.Out + request.Err);
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Routable == "web-b", "the switchover in the window", TimeSpan.FromSeconds(30));
        EventView started = Assert.Single(await controller.EventsAsync("web", EventTypes.SwitchoverStarted));
        Assert.InRange(started.Time.Second % 10 + started.Time.Millisecond / 1000.0, 0, 2);

        var failover = await CliRunner.RunAsync(Api(pair), "failover", "web", "--reason", "x", "--at", "2030-01-01T00:00Z");
        Assert.NotEqual(0, failover.ExitCode); // --at is a switchover option only
    }

    [Theory]
    [InlineData("switchover", """{"to":"web-b","reason":"r","in_window":true}""", "in_window: services.web.maintenance is not set, so web has no window")]
    [InlineData("switchover", """{"to":"web-b","reason":"r","in_window":true,"at":"2030-01-01T00:00Z"}""", "at: give at or in_window, not both")]
    [InlineData("failover", """{"reason":"r","at":"2030-01-01T00:00Z"}""", "at: only a switchover can be scheduled; a failover replaces a primary that is down now")]
    public async Task Schedule_ThatCannotBeKept_Is400NamingTheField(string kind, string body, string detail)
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await controller.Http.PostAsync($"/api/services/web/{kind}", content);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
        Assert.Empty(await controller.EventsAsync("web", EventTypes.RequestCreated));
    }
}
