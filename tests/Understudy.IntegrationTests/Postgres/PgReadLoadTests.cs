using Understudy.Core.Drills;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Postgres;

/// <summary>The built-in sql generator against real PostgreSQL through the proxy: a probe that reads, and a load that reports per window.</summary>
[Collection(RealProcesses.Name)]
public class PgReadLoadTests
{
    [Fact]
    public async Task Drill_SqlProbeAndSqlLoad_ReadThroughTheProxyAndAreReported()
    {
        await using var pg = await PgControlled.StartAsync(standbys: 1);
        var run = await DrillRun.RunAsync(pg.Cluster.Dir, $$"""
            name: postgres reads
            service: orders-db
            controller: http://127.0.0.1:{{pg.ApiPort}}
            probes:
              - { name: select, sql: { connection: "{{pg.ProxyConnection}}", interval: 50ms, timeout: 5s } }
            load:
              - { name: reads, sql: { connection: "{{pg.ProxyConnection}}", query: "SELECT count(*) FROM pg_stat_activity" }, rate: 20, concurrency: 5 }
            steady_state: { duration: 1s, max_error_rate: 10% }
            faults:
              - exec: [sh, -c, "exit 0"]
            recovery: { timeout: 20s, stable_for: 500ms }
            """);

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        ProbeResult select = Assert.Single(report.Probes);
        Assert.Equal("sql", select.Kind);
        Assert.True(select.Attempts > select.Failed && select.Attempts > 0, $"{select.Attempts} attempts, {select.Failed} failed\n{string.Join("\n", report.Issues)}");
        LoadResult reads = Assert.Single(report.Load);
        Assert.Equal("reads", reads.Name);
        Assert.Contains("query SELECT count(*) FROM pg_stat_activity", reads.Source);
        Assert.True(reads.Windows.Sum(w => w.Succeeded) > 0, string.Join("\n", reads.Windows));
        Assert.DoesNotContain("Password", reads.Source, StringComparison.OrdinalIgnoreCase);
    }
}
