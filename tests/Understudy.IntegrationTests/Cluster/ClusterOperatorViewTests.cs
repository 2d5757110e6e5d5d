using Microsoft.Playwright;
using Understudy.IntegrationTests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>What an operator sees of three real instances through a follower: the CLI and the dashboard name the leader.</summary>
[Collection(RealProcesses.Name)]
public class ClusterOperatorViewTests
{
    [Fact]
    public async Task ClusterStatusAndDashboard_AskedOfAFollower_NameTheLeaderAndThisInstance()
    {
        await using var cluster = await WebCluster.StartAsync();
        Assert.Equal("ctl-a", await cluster.LeaderAsync());
        string api = $"http://127.0.0.1:{cluster.Ports["ctl-b"].Api}";
        const string Summary = "cluster shop: leader ctl-a, 3 instances; this one (ctl-b) routing open";

        var table = await CliRunner.RunAsync("cluster", "--api", api);
        Assert.True(table.ExitCode == 0, table.Err);
        Assert.StartsWith(Summary + "\n", table.Out, StringComparison.Ordinal);
        Assert.Contains(table.Out.Split('\n'), l => l.Contains("ctl-a", StringComparison.Ordinal) && l.Contains('★', StringComparison.Ordinal));

        var json = await CliRunner.RunAsync("cluster", "--api", api, "--json");
        Assert.True(json.ExitCode == 0, json.Err);
        Assert.StartsWith("""{"cluster":"shop","leader":"ctl-a","instance":"ctl-b","routing":"open","instances":[""", json.Out, StringComparison.Ordinal);

        var status = await CliRunner.RunAsync("status", "--api", api);
        Assert.True(status.ExitCode == 0, status.Err);
        Assert.Equal(Summary, status.Out.Split('\n')[1]);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(api + "/");
        await Expect(page.Locator("#cluster")).ToHaveTextAsync("cluster shop · leader ctl-a · this instance ctl-b (routing open)",
            new() { Timeout = (float)Eventually.Deadline.TotalMilliseconds });
    }
}
