using System.Collections.Immutable;

namespace Understudy.Core.Drills;

/// <summary>
/// Load run through the whole drill (seed 004, test 5: failover under production-like traffic), apart from the
/// probes: it does not decide recovery or the verdict, it shows what the traffic saw. Either a built-in open-loop
/// generator (<see cref="Generator"/>: a probe kind paced at <see cref="Rate"/> attempts per second with at most
/// <see cref="Concurrency"/> in flight) or an external tool (<see cref="Command"/>: pgbench, wrk, redis-benchmark)
/// started with the probes and stopped when they stop.
/// </summary>
public sealed record LoadSpec(string Name, double Rate, int Concurrency, ProbeSpec? Generator, ImmutableArray<string> Command)
{
    public string Shown => Generator is { } g
        ? $"{g.Kind.ToString().ToLowerInvariant()} {g.Shown} at {Rate:0.###}/s, at most {Concurrency} in flight"
        : string.Join(' ', Command);
}

/// <summary>What a load ran: a generator's attempts, or an external command's end.</summary>
/// <param name="Outcome">For a command: how it ended ("stopped with the probes", "exited 1 after 3.2 s"); null for a generator.</param>
/// <param name="Output">For a command: the tail of its output.</param>
public sealed record LoadRecord(LoadSpec Spec, IReadOnlyList<ProbeSample> Samples, string? Outcome = null, string? Output = null);
