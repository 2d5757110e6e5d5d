using System.Diagnostics;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Partitions.Checking;
using Understudy.IntegrationTests.Partitions.Lab;
using Understudy.IntegrationTests.Partitions.Scenarios;

namespace Understudy.IntegrationTests.Partitions;

/// <summary>The outcome of one scenario with one seed: the checker's row and what in it is wrong.</summary>
public sealed record ScenarioOutcome(CheckResult Result, IReadOnlyList<string> Violations, string Report);

/// <summary>
/// One scenario, one seed, a fresh lab: steady writes from every instance host, the fault schedule, heal, convergence,
/// every client writing again, then the checker on the final primary and the journal.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>The services' own RTO target (targets.rto in the lab's config): the longest no client may wait for any write.</summary>
    public static readonly TimeSpan RtoBound = TimeSpan.FromSeconds(10);

    public static async Task<ScenarioOutcome> RunAsync(Scenario scenario, int seed, Action<string> log)
    {
        string folder = Path.Combine(PartitionRun.Folder, $"{scenario.Name}-seed{seed}");
        var clock = Stopwatch.StartNew();
        await using var lab = await PartitionLab.StartAsync(folder, PartitionRun.Check);
        log($"{scenario.Name}, seed {seed}: lab up in {clock.Elapsed.TotalSeconds:0.0} s ({folder}; namespaces usp-{Environment.ProcessId}-{lab.Network.RunId}-*)");
        try
        {
            var random = new Random(seed);
            lab.StartClients();
            await Eventually.TrueAsync(() => lab.Clients.All(c => c.Attempts().Count(a => a.Ok) >= 5), "every client's writes acknowledged", TimeSpan.FromSeconds(30));
            string leader = await lab.LeaderAsync();
            // Until the standby is proven synchronous and caught up, no failover may happen (and none is expected).
            await Eventually.TrueAsync(async () => (await lab.Instance(leader).EventsAsync(PartitionLab.Service, EventTypes.SyncStandbyCaughtUp)).Count > 0,
                "the synchronous standby proven caught up", TimeSpan.FromSeconds(30));
            var context = new FaultContext(lab, random, PartitionRun.Full, lab.Instance(leader).Host);
            await Task.Delay(context.Seconds(0.5, 1.5)); // steady state before the fault, its length from the seed

            var faultAt = DateTimeOffset.UtcNow;
            context.Note($"fault begins (leader {leader})");
            try { await scenario.Inject(context); }
            finally
            {
                await lab.Faults.HealAsync();
                lab.Pg.Delays.At(context.Primary).Latency = TimeSpan.Zero;
            }
            var healAt = DateTimeOffset.UtcNow;
            context.Note("healed");

            string primary = await lab.ConvergedAsync(TimeSpan.FromSeconds(60));
            var convergedAt = DateTimeOffset.UtcNow;
            context.Note($"converged on {primary}");
            await Eventually.TrueAsync(() => lab.Clients.All(c => c.Attempts().Any(a => a.Ok && a.Start > convergedAt)),
                "every client's writes acknowledged again after convergence", TimeSpan.FromSeconds(30));
            var end = DateTimeOffset.UtcNow;
            await lab.StopClientsAsync();

            string leaderNow = await lab.LeaderAsync();
            int failovers = (await lab.Instance(leaderNow).EventsAsync(PartitionLab.Service, EventTypes.FailoverCompleted)).Count;
            var finalServer = lab.Pg[primary];
            if (await lab.Pg.ScalarAsync<bool>(finalServer, "SELECT pg_is_in_recovery()")) throw new InvalidOperationException($"the routable member {primary} is in recovery");
            var ids = await lab.Pg.WrittenIdsAsync(finalServer);
            string timeline = await lab.Pg.ScalarAsync<string>(finalServer, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)");
            var attempts = lab.Clients.SelectMany(c => c.Attempts()).ToList();
            var result = Checker.Check(new RunRecord(scenario.Name, seed, attempts, $"{primary}/{Convert.ToInt32(timeline, 16)}", ids, failovers, faultAt, healAt, end));

            var violations = new List<string>();
            if (result.Lost > 0) violations.Add($"{result.Lost} acknowledged writes lost (synchronous: true), e.g. {string.Join("; ", result.LostSample)}");
            if (result.SplitBrain > 0) violations.Add($"{result.SplitBrain} writes acknowledged by an old primary after the new one's first write");
            if (!scenario.FailoversOk(failovers)) violations.Add($"{failovers} failovers completed, expected {scenario.ExpectedFailovers}");
            if (scenario.RtoBound is { } bound && result.RtoMs > bound.TotalMilliseconds) violations.Add($"RTO {result.RtoMs:0} ms above the target {bound.TotalSeconds:0} s");

            string verdict = violations.Count == 0 ? "pass" : "FAIL: " + string.Join("; ", violations);
            ResultTable.Append(PartitionRun.Folder, result, scenario.ExpectedFailovers, verdict);
            string report = $"""
                {scenario.Name} (seed {seed}): {scenario.Summary}
                schedule:
                  {string.Join("\n  ", context.Schedule)}
                {ResultTable.Header}
                {ResultTable.Row(result, scenario.ExpectedFailovers)}
                verdict: {verdict}
                results: {Path.Combine(PartitionRun.Folder, "results.md")}; this run's logs and attempts: {folder}
                took {clock.Elapsed.TotalSeconds:0.0} s
                """;
            return new ScenarioOutcome(result, violations, report);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{scenario.Name}, seed {seed}: {e.Message}\n(logs in {folder})\n{lab.Diagnostics()}", e);
        }
    }
}
