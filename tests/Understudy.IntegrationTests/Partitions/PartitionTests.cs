using Understudy.IntegrationTests.Fixtures;
using Xunit.Abstractions;
using Understudy.IntegrationTests.Partitions.Scenarios;

namespace Understudy.IntegrationTests.Partitions;

/// <summary>
/// The partition suite (Jepsen-style): hosts as network namespaces on a bridge, three etcd members, three Understudy
/// instances with a writing client each, a PostgreSQL primary and synchronous standby; faults by nft and a delay relay;
/// after heal and convergence the checker reads the final primary. Seeds: PARTITION_SEEDS (CI: a fixed set); on a
/// failure the seed is in the message. bench/partitions/run.sh runs more seeds and the full lengths.
/// </summary>
[Collection(RealProcesses.Name)]
public class PartitionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("primary-isolated")]
    [InlineData("primary-cut-from-instances")]
    [InlineData("leader-isolated")]
    [InlineData("etcd-minority-with-leader")]
    [InlineData("asymmetric-primary-leader")]
    [InlineData("flapping-primary")]
    [InlineData("latency-and-loss-on-primary")]
    public Task Partition_HealedAndConverged_NoAcknowledgedWriteLostNoSplitBrainFailoversAsExpected(string name) => RunAsync(name);

    /// <summary>
    /// Scenarios beyond the issue's list that do not yet converge every time: bench/partitions/run.sh runs them (the test
    /// command leaves out the category). {leader, an etcd member, pg1} | rest: safe in every run so far (nothing lost,
    /// no split brain), but with etcd flapping on the majority side the fence's acknowledgements could not all be written
    /// once in 3 runs, the failover failed, and the service waited for an operator.
    /// </summary>
    [Theory]
    [Trait("Category", "Bench")]
    [InlineData("etcd-minority-with-leader-and-primary")]
    public Task Partition_BenchOnly_HealedAndConverged(string name) => RunAsync(name);

    private async Task RunAsync(string name)
    {
        var scenario = PartitionScenarios.Get(name);
        var failed = new List<string>();
        foreach (int seed in PartitionRun.Seeds)
        {
            var outcome = await ScenarioRunner.RunAsync(scenario, seed, output.WriteLine);
            output.WriteLine(outcome.Report);
            if (outcome.Violations.Count > 0) failed.Add($"seed {seed}: {string.Join("; ", outcome.Violations)}");
        }
        Assert.True(failed.Count == 0, $"{name} failed (replay with PARTITION_SEEDS=\"<seed>\"):\n{string.Join('\n', failed)}");
    }

    [Fact]
    public void Delay_WhereNoRelayStands_IsRefusedWithAClearError()
    {
        var delays = new Net.LabDelays(new Dictionary<string, Net.DelayRelay>());
        var e = Assert.Throws<NotSupportedException>(() => delays.At(new Net.LabHost("e1", "usp-x-e1", System.Net.IPAddress.Parse("10.77.0.31"))));
        Assert.Contains("no netem", e.Message);
        Assert.Contains("there is none on e1", e.Message);
    }
}
