using System.Collections.Concurrent;
using Understudy.Core.Drills;
using Understudy.Drills.Probes;
using static Understudy.Bench.Stats;

namespace Understudy.Bench;

/// <summary>
/// SIGKILL of the leader instance of three on one etcd (issue 11): a client through each follower's proxy (a GET
/// every 10 ms on a new connection, open loop), and every surviving instance's <c>GET /api/cluster</c> polled every
/// 10 ms. Measures the failed requests per follower proxy and the time from the kill until every survivor names
/// the same new leader. A fresh cluster per run: the first instance started leads.
/// </summary>
internal static class ClusterBench
{
    /// <param name="NewLeaderMs">kill → the last survivor to name the new leader (each counted at the answer of its first poll naming it).</param>
    /// <param name="ElectedMs">kill → the new leader's <c>leader.elected</c> event (its own clock, in the journal).</param>
    /// <param name="Proxies">per follower proxy: failed requests, requests over 500 ms and the slowest, among attempts that ended after the kill.</param>
    internal sealed record Run(string OldLeader, string NewLeader, double NewLeaderMs, double ElectedMs, IReadOnlyList<ProxyRun> Proxies);

    internal sealed record ProxyRun(string Instance, int Attempts, int Failed, int Slow, double SlowestMs);

    /// <summary>Runs left out: the cluster did not come up or the survivors did not agree within 30 s.</summary>
    public static int Skipped { get; private set; }

    public static async Task<List<Run>> RunAsync(int runs, TextWriter log)
    {
        var all = new List<Run>();
        for (int i = 1; i <= runs; i++)
        {
            Run r;
            try { r = await OnceAsync(); }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                await log.WriteLineAsync($"run {i} left out: {e.Message.Split('\n')[0]}");
                Skipped++;
                continue;
            }
            all.Add(r);
            await log.WriteLineAsync($"leader {r.OldLeader} killed: {r.NewLeader} named by every survivor after {r.NewLeaderMs:0} ms (leader.elected {r.ElectedMs:0} ms); "
                + string.Join(", ", r.Proxies.Select(p => $"{p.Instance} proxy {p.Failed}/{p.Attempts} failed, slowest {p.SlowestMs:0} ms")) + $"   (run {i}/{runs})");
        }
        return all;
    }

    private static async Task<Run> OnceAsync()
    {
        using ClusterRig rig = await ClusterRig.StartAsync(3);
        string leader = await rig.LeaderAsync();
        string[] followers = [.. rig.Names.Where(n => n != leader)];

        var probes = followers.Select(f => new HttpProbe(new ProbeSpec(f, ProbeKind.Http, $"http://127.0.0.1:{rig[f].ProxyPort}/", TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5)), TimeProvider.System)).ToList();
        using var stop = new CancellationTokenSource();
        Task probing = Task.WhenAll(probes.Select(p => p.RunAsync(stop.Token)));
        var named = new ConcurrentDictionary<string, (string Leader, DateTimeOffset At)>();
        Task watching = Task.WhenAll(followers.Select(f => WatchAsync(rig, f, leader, named, stop.Token)));
        await Task.Delay(TimeSpan.FromSeconds(1));

        DateTimeOffset killedAt = DateTimeOffset.UtcNow;
        rig.Kill(leader);
        var deadline = killedAt.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline && named.Count < followers.Length) await Task.Delay(20);
        await Task.Delay(TimeSpan.FromSeconds(1)); // requests after the new leader, to see that nothing fails then either
        await stop.CancelAsync();
        await Task.WhenAll(probing, watching);

        var names = named.Values.Select(v => v.Leader).Distinct().ToList();
        if (named.Count < followers.Length || names.Count != 1)
            throw new InvalidOperationException($"after killing {leader} the survivors did not agree on a new leader within 30 s: {string.Join(", ", named.Select(kv => $"{kv.Key} names {kv.Value.Leader}"))}");
        string next = names[0];
        var elected = (await rig.EventsAsync(next, "leader.elected")).Where(e => e.Time > killedAt).Select(e => (DateTimeOffset?)e.Time).Min();
        var proxies = probes.Select(p =>
        {
            var after = p.Samples.Where(s => s.End >= killedAt).ToList();
            return new ProxyRun(p.Spec.Name, after.Count, after.Count(s => !s.Ok), after.Count(s => s.Latency > TimeSpan.FromMilliseconds(500)),
                after.Count == 0 ? double.NaN : after.Max(s => s.Latency.TotalMilliseconds));
        }).ToList();
        foreach (var p in probes) p.Dispose();
        return new Run(leader, next, (named.Values.Max(v => v.At) - killedAt).TotalMilliseconds,
            elected is { } t ? (t - killedAt).TotalMilliseconds : double.NaN, proxies);
    }

    /// <summary>Polls <c>/api/cluster</c> of <paramref name="instance"/> every 10 ms; records the first answer naming a leader other than the killed one.</summary>
    private static async Task WatchAsync(ClusterRig rig, string instance, string oldLeader, ConcurrentDictionary<string, (string, DateTimeOffset)> named, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !named.ContainsKey(instance))
        {
            if (await rig.ClusterAsync(instance) is { Leader: { } l } && l != oldLeader) named[instance] = (l, DateTimeOffset.UtcNow);
            try { await Task.Delay(10, ct); } catch (OperationCanceledException) { }
        }
    }

    public static void Print(List<Run> runs, TextWriter w)
    {
        w.WriteLine($"### Leader instance SIGKILL, {runs.Count} runs (three instances on one etcd, lease {ClusterRig.Lease}; a GET every 10 ms on a new connection through each follower's proxy)");
        w.WriteLine();
        w.WriteLine("| measure | median | max |");
        w.WriteLine("|---|---|---|");
        w.WriteLine($"| kill → new leader named by every survivor (ms) | {Ms(Median(runs.Select(r => r.NewLeaderMs)))} | {Ms(runs.Max(r => r.NewLeaderMs))} |");
        w.WriteLine($"| kill → `leader.elected` in the journal (ms) | {Ms(Median(runs.Select(r => r.ElectedMs)))} | {Ms(runs.Max(r => r.ElectedMs))} |");
        foreach (var g in runs.SelectMany(r => r.Proxies).GroupBy(p => p.Instance).OrderBy(g => g.Key))
        {
            w.WriteLine($"| failed requests through {g.Key}'s proxy (of ~{Ms(Median(g.Select(p => (double)p.Attempts)))} after the kill) | {Ms(Median(g.Select(p => (double)p.Failed)))} | {g.Max(p => p.Failed)} |");
            w.WriteLine($"| requests > 500 ms through {g.Key}'s proxy | {Ms(Median(g.Select(p => (double)p.Slow)))} | {g.Max(p => p.Slow)} |");
            w.WriteLine($"| slowest request through {g.Key}'s proxy (ms) | {Ms(Median(g.Select(p => p.SlowestMs)))} | {Ms(g.Max(p => p.SlowestMs))} |");
        }
        double median = Median(runs.Select(r => r.NewLeaderMs));
        w.WriteLine();
        if (Skipped > 0) w.WriteLine($"Runs left out (the cluster did not come up, or the survivors did not agree on a leader within 30 s): {Skipped}.");
        w.WriteLine($"Anchor (cited from the anchor measurements, not re-measured here): Patroni's leader lock must expire before another node leads: 10.0 s measured at the fastest ttl 3.0.2 accepts (10), ttl ≥ 20 s enforced since 3.2. "
            + $"Ratios, new leader named by every survivor (median) / Patroni: {median / 10_000:0.00} against 10 s, {median / 20_000:0.00} against the 20 s floor.");
    }
}
