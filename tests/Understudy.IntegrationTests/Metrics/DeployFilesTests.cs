using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Metrics;

/// <summary>The alert rules and the dashboard name only metrics a real controller exports, and the dashboard shows them all.</summary>
[Collection(RealProcesses.Name)]
public class DeployFilesTests
{
    [Fact]
    public async Task DeployFiles_EveryMetricTheyName_IsExportedByARealController()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);
        MetricsPage page = await MetricsPage.ReadAsync(pair.ApiPort);

        var inAlerts = DeployFiles.MetricNames(DeployFiles.AlertExpressions()).ToList();
        var inDashboard = DeployFiles.MetricNames(DeployFiles.DashboardExpressions()).ToList();

        Assert.Equal(13, DeployFiles.AlertExpressions().Count());
        Assert.All(inAlerts, n => Assert.True(page.FamilyOf(n) is not null, $"alerts.yml names {n}, which /metrics does not export"));
        Assert.All(inDashboard, n => Assert.True(page.FamilyOf(n) is not null, $"the dashboard names {n}, which /metrics does not export"));
        // Every family has a panel: a metric nobody can see is one nobody maintains.
        var shown = inDashboard.Select(page.FamilyOf).ToHashSet();
        Assert.All(page.Families, f => Assert.True(shown.Contains(f), $"no panel shows {f}"));
    }
}
