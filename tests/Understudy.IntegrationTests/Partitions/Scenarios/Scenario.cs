using Understudy.IntegrationTests.Partitions.Lab;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Partitions.Scenarios;

/// <summary>
/// One partition scenario: what it does to the network (from a seeded random source, so a seed replays the same
/// schedule), what it means, and how many completed failovers are right for it.
/// </summary>
/// <param name="Summary">What the fault is and why the expectation is what it is; printed with the result.</param>
/// <param name="ExpectedFailovers">As the table shows it: "0", "1", "0–1".</param>
public sealed record Scenario(string Name, string Summary, string ExpectedFailovers, Func<int, bool> FailoversOk, Func<FaultContext, Task> Inject)
{
    /// <summary>The longest no client may go without an acknowledged write; null where the RTO is reported, not held to a target.</summary>
    public TimeSpan? RtoBound { get; init; } = ScenarioRunner.RtoBound;

    public override string ToString() => Name;
}

/// <summary>What a scenario's fault schedule may use; <see cref="Note"/> writes the schedule down as it goes.</summary>
public sealed class FaultContext(PartitionLab lab, Random random, bool full, LabHost leaderHost)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<string> _schedule = [];

    public PartitionLab Lab { get; } = lab;
    public Random Random { get; } = random;
    /// <summary>The bench's full durations rather than CI's shorter ones.</summary>
    public bool Full { get; } = full;
    public LabHost LeaderHost { get; } = leaderHost;
    public LabHost Primary => Lab["pg1"];
    public NftFaults Faults => Lab.Faults;
    public IReadOnlyList<LabHost> Hosts => [.. Lab.Network.Hosts.Values];
    public IReadOnlyList<LabHost> InstanceHosts => [.. PartitionLab.InstanceHosts.Select(h => Lab[h])];
    public IReadOnlyList<string> Schedule => _schedule;

    public IEnumerable<LabHost> Except(params LabHost[] hosts) => Hosts.Except(hosts);

    /// <summary>A duration drawn uniformly from [min, max] seconds, to the millisecond.</summary>
    public TimeSpan Seconds(double min, double max) => TimeSpan.FromMilliseconds(Math.Round((min + Random.NextDouble() * (max - min)) * 1000));

    public void Note(string what) => _schedule.Add($"+{_clock.Elapsed.TotalSeconds:0.000} s: {what}");

    /// <summary>Keeps a fault in place for its planned length (the schedule's own time, not a wait for an event).</summary>
    public Task LastAsync(TimeSpan length) => Task.Delay(length);

    /// <summary>Until <paramref name="at"/> after the schedule began: periodic faults keep to their period whatever nft's calls cost.</summary>
    public Task UntilAsync(TimeSpan at) => at > _clock.Elapsed ? Task.Delay(at - _clock.Elapsed) : Task.CompletedTask;

    public TimeSpan Elapsed => _clock.Elapsed;
}
