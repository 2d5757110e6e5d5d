using System.Globalization;
using System.Text.RegularExpressions;
using Understudy.Api;
using static Understudy.Bench.Stats;

namespace Understudy.Bench;

/// <summary>
/// What coordination costs (issue 11): decision → route switched on every proxy. Three instances on one etcd and a
/// single controller without etcd, both up side by side, take turns: the primary sample app is SIGKILLed; the
/// decision instant is the <c>failover.started</c> event's time, each instance's switch instant its
/// <c>understudy_proxy_routed_since_seconds</c> for the new member. The killed app is then restarted and rejoined,
/// so the next run kills the other member (web-a and web-b alternate as primary).
/// </summary>
internal static class CoordinationBench
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <param name="SwitchedMs">per instance, its switch instant minus the decision.</param>
    /// <param name="DetectMs">kill → decision.</param>
    /// <param name="FencedMs">decision → <c>member.fenced</c> (the fence, every instance's acknowledgement included).</param>
    /// <param name="TrafficMs">decision → <c>traffic.switched</c> (the leader's event; each proxy switches on folding it).</param>
    internal sealed record Run(string System, string From, string To, double DetectMs, double FencedMs, double TrafficMs, IReadOnlyDictionary<string, double> SwitchedMs, string FenceReason)
    {
        public double AllMs => SwitchedMs.Values.Max();
        public double FirstMs => SwitchedMs.Values.Min();

        /// <summary>How long the fence waited for every instance's acknowledgement, as its reason says ("routes by epoch 2 (8 ms)"); NaN for a single controller.</summary>
        public double AckMs => Regex.Match(FenceReason, @"routes by epoch \d+ \((\d+) ms\)") is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }

    public static async Task<List<Run>> RunAsync(int runs, TextWriter log)
    {
        using ClusterRig cluster = await ClusterRig.StartAsync(3);
        using ClusterRig single = await ClusterRig.StartAsync(1, coordinated: false);
        var fsyncsBefore = await cluster.EtcdFsyncsAsync();
        var rigs = new[] { ("three on etcd", cluster), ("single", single) };
        var all = new List<Run>();
        for (int i = 1; i <= runs; i++)
        {
            // Which system goes first alternates, so neither always runs right after the other's restart.
            foreach (var (system, rig) in i % 2 == 1 ? rigs : rigs.Reverse())
            {
                Run r;
                try { r = await OnceAsync(system, rig); }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    // A check timed out on the loaded machine and failed over by itself, say: the run is left out (and counted), the rig restored.
                    await log.WriteLineAsync($"{system}: run {i} left out: {e.Message.Split('\n')[0]}");
                    Skipped[system] = Skipped.GetValueOrDefault(system) + 1;
                    await RestoreAsync(rig);
                    continue;
                }
                all.Add(r);
                await log.WriteLineAsync($"{system}: {r.From} killed → {r.To}; decision after {r.DetectMs:0} ms, fenced +{r.FencedMs:0}, traffic.switched +{r.TrafficMs:0}, "
                    + $"proxies switched +{string.Join("/", r.SwitchedMs.Select(kv => $"{kv.Value:0}"))} ms ({r.FenceReason})   (run {i}/{runs})");
            }
        }
        if (await cluster.EtcdFsyncsAsync() is { } after && fsyncsBefore is { } before)
            Fsyncs = (after.Count - before.Count, (after.MeanMs * after.Count - before.MeanMs * before.Count) / (after.Count - before.Count), after.Over128Ms - before.Over128Ms);
        return all;
    }

    /// <summary>etcd's WAL fsyncs during the runs: how many, their mean, how many over 128 ms.</summary>
    public static (long Count, double MeanMs, long Over128Ms)? Fsyncs { get; private set; }

    private static async Task<Run> OnceAsync(string system, ClusterRig rig)
    {
        string leader = await rig.LeaderAsync();
        ServiceView before = await rig.ServiceAsync(leader) ?? throw new InvalidOperationException($"{leader} does not answer");
        string from = before.Primary, to = from == "web-a" ? "web-b" : "web-a";
        await UntilAsync(async () => (await Task.WhenAll(rig.Names.Select(rig.RoutedSinceAsync))).All(s => s?.Member == from), $"every instance to route to {from}");

        DateTimeOffset killedAt = DateTimeOffset.UtcNow;
        rig.App(from).Kill();
        var switched = await UntilAsync(async () =>
        {
            var routes = await Task.WhenAll(rig.Names.Select(rig.RoutedSinceAsync));
            return routes.All(s => s?.Member == to) ? routes.Select(s => s!.Value.Since).ToList() : null;
        }, $"every instance to route to {to}");

        var started = await SingleEventAsync(rig, leader, "failover.started", killedAt);
        var fenced = await SingleEventAsync(rig, leader, "member.fenced", killedAt);
        var traffic = await SingleEventAsync(rig, leader, "traffic.switched", killedAt);
        DateTimeOffset decision = started.Time;
        var run = new Run(system, from, to, (decision - killedAt).TotalMilliseconds, (fenced.Time - decision).TotalMilliseconds, (traffic.Time - decision).TotalMilliseconds,
            rig.Names.Zip(switched).ToDictionary(x => x.First, x => (x.Second - decision).TotalMilliseconds),
            fenced.Details.GetValueOrDefault("reason")?.ToString() ?? "");

        await rig.RestartAppAsync(from);
        await rig.PostAsync(leader, $"/api/services/web/members/{from}/rejoin");
        await rig.ReadyAsync();
        return run;
    }

    /// <summary>Runs left out per system (see <see cref="RunAsync"/>).</summary>
    public static Dictionary<string, int> Skipped { get; } = [];

    /// <summary>Both apps running, every member failed over from rejoined, every instance ready.</summary>
    private static async Task RestoreAsync(ClusterRig rig)
    {
        foreach (string member in (string[])["web-a", "web-b"])
            if (rig.App(member).Process.HasExited) await rig.RestartAppAsync(member);
        string leader = await rig.LeaderAsync();
        await Task.Delay(TimeSpan.FromSeconds(1)); // a failover under way settles first
        foreach (var m in (await rig.ServiceAsync(leader))?.Members.Where(m => m.NeedsRejoin) ?? [])
            await rig.PostAsync(leader, $"/api/services/web/members/{m.Name}/rejoin");
        await rig.ReadyAsync();
    }

    /// <summary>The one event of that type after the kill (read from the leader's journal once it is there).</summary>
    private static Task<EventView> SingleEventAsync(ClusterRig rig, string leader, string type, DateTimeOffset after) => UntilAsync(async () =>
    {
        var events = (await rig.EventsAsync(leader, type)).Where(e => e.Time > after).ToList();
        if (events.Count > 1) throw new InvalidOperationException($"{events.Count} {type} events after one kill: {string.Join("; ", events.Select(e => e.Time.ToString("O")))}");
        return events.SingleOrDefault();
    }, $"a {type} event on {leader}");

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> value, string what)
    {
        var deadline = DateTimeOffset.UtcNow + Limit;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await value() is { } v) return v;
            await Task.Delay(10);
        }
        throw new TimeoutException($"waited {Limit.TotalSeconds:0} s for {what}");
    }

    private static Task UntilAsync(Func<Task<bool>> condition, string what) => UntilAsync(async () => await condition() ? (object)true : null, what);

    /// <summary>The nearest-rank percentile: with 20 runs, p99 is the slowest.</summary>
    private static double Percentile(IEnumerable<double> xs, double p)
    {
        var s = xs.Order().ToList();
        return s.Count == 0 ? double.NaN : s[(int)Math.Ceiling(s.Count * p) - 1];
    }

    public static void Print(List<Run> runs, TextWriter w)
    {
        w.WriteLine($"### Cost of coordination, {runs.Count(r => r.System == "single")} / {runs.Count(r => r.System != "single")} runs (single / three on etcd) (primary sample app SIGKILL; decision = `failover.started`, switch = each instance's `understudy_proxy_routed_since_seconds`)");
        w.WriteLine();
        w.WriteLine("| system | decision → every proxy switched, median / p99 / max (ms) | decision → first proxy switched, median (ms) | decision → `member.fenced`, median (ms) | of which the wait for every instance's acknowledgement, median (ms) | decision → `traffic.switched`, median (ms) | kill → decision, median (ms) |");
        w.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var g in runs.GroupBy(r => r.System))
            w.WriteLine($"| {g.Key} | {Ms(Median(g.Select(r => r.AllMs)))} / {Ms(Percentile(g.Select(r => r.AllMs), 0.99))} / {Ms(g.Max(r => r.AllMs))} | {Ms(Median(g.Select(r => r.FirstMs)))} | {Ms(Median(g.Select(r => r.FencedMs)))} | {(g.Key == "single" ? "–" : Ms(Median(g.Select(r => r.AckMs))))} | {Ms(Median(g.Select(r => r.TrafficMs)))} | {Ms(Median(g.Select(r => r.DetectMs)))} |");
        var cluster = runs.Where(r => r.System != "single").ToList();
        w.WriteLine();
        if (Skipped.Count > 0) w.WriteLine($"Runs left out (the rig failed over by itself or did not settle): {string.Join(", ", Skipped.Select(kv => $"{kv.Key} {kv.Value}"))}.");
        w.WriteLine("Per instance (three on etcd), decision → its proxy switched, median / max (ms): "
            + string.Join(", ", cluster.SelectMany(r => r.SwitchedMs).GroupBy(kv => kv.Key).OrderBy(g => g.Key).Select(g => $"{g.Key} {Ms(Median(g.Select(kv => kv.Value)))} / {Ms(g.Max(kv => kv.Value))}")) + ".");
        double Of(string system, Func<Run, double> f) => Median(runs.Where(r => r.System == system).Select(f));
        w.WriteLine($"Ratio three on etcd / single controller, medians: every proxy switched {Of("three on etcd", r => r.AllMs) / Of("single", r => r.AllMs):0.0}, fenced {Of("three on etcd", r => r.FencedMs) / Of("single", r => r.FencedMs):0.0}.");
        if (Fsyncs is { } f)
            w.WriteLine($"etcd's WAL fsyncs during the runs (every commit waits for one): {f.Count}, mean {f.MeanMs:0.0} ms, {f.Over128Ms} over 128 ms.");
        w.WriteLine($"Fence reasons (three on etcd), first three runs: {string.Join(" | ", cluster.Take(3).Select(r => r.FenceReason))}");
    }
}
