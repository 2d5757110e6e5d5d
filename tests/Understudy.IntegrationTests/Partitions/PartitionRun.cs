using System.Globalization;

namespace Understudy.IntegrationTests.Partitions;

/// <summary>
/// Settings of a run of the suite, from the environment so that bench/partitions/run.sh can ask for more:
/// PARTITION_SEEDS ("1 2 3"; CI's fixed set otherwise), PARTITION_FULL=1 (the full fault lengths), PARTITION_OUT (the
/// folder for results and each run's logs; a new one under the temp folder otherwise).
/// </summary>
public static class PartitionRun
{
    /// <summary>CI's fixed set: one seed per scenario keeps the suite within its five minutes.</summary>
    public static readonly int[] CiSeeds = [1];

    public static IReadOnlyList<int> Seeds { get; } =
        Environment.GetEnvironmentVariable("PARTITION_SEEDS") is { Length: > 0 } s
            ? [.. s.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture))]
            : CiSeeds;

    public static bool Full { get; } = Environment.GetEnvironmentVariable("PARTITION_FULL") == "1";

    public static string Folder { get; } = Environment.GetEnvironmentVariable("PARTITION_OUT") is { Length: > 0 } o ? o
        : Path.Combine(Path.GetTempPath(), "understudy-partitions", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");

    /// <summary>The same for every scenario: timeout 500 ms and fall 3 as the latency-and-loss scenario requires.</summary>
    public const string Check = "{ interval: 1s, timeout: 500ms, fall: 3, rise: 2 }";
}
