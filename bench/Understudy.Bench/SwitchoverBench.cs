using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Core.Drills;
using Understudy.Drills.Probes;
using static Understudy.Bench.Stats;

namespace Understudy.Bench;

/// <summary>
/// A planned switchover web-a → web-b (and back, alternating, so each run starts from a steady state) under
/// a GET every 10 ms on a new connection through each path: Understudy's by its API (POST switchover, then
/// GET the request until completed), HAProxy's the way its users do it, by its runtime API (target ready,
/// old server drain, wait for its sessions to end, then maint). In each run both switch, one after the
/// other, each with a quiet window of its own; which goes first alternates every two runs.
/// </summary>
internal static class SwitchoverBench
{
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(2), After = TimeSpan.FromSeconds(1), Limit = TimeSpan.FromSeconds(30);

    /// <param name="SwitchMs">request → switch done (Understudy: the request read back completed; HAProxy: the runtime command returned and the new primary answered).</param>
    /// <param name="FirstAnswerMs">request → the earliest answer from the new primary.</param>
    /// <param name="Failures">each failed attempt in the window: error kind, start after the request, latency, detail.</param>
    internal sealed record Run(string System, string From, string To, double SwitchMs, double FirstAnswerMs, int Failed, double WorstMs, double P99BeforeMs, IReadOnlyList<string> Failures);

    private sealed record Switch(string System, HttpProbe Probe, string From, string To, DateTimeOffset RequestedAt, DateTimeOffset DoneAt);

    public static async Task<List<Run>> RunAsync(int runs, TextWriter log)
    {
        // Checks every 1 s for both: detection is not measured here, and at 100 ms they time out on a loaded
        // 2-core machine (cold sample apps at start, other work) and fail over by themselves.
        using Rig rig = await Rig.StartAsync("http", checkMs: 1000);
        await rig.WaitForMembersUpAsync(TimeSpan.FromSeconds(20));
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{rig.ApiPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var haproxy = new HaproxyRuntime(rig.HaproxySocket);
        using var viaUs = Probe("understudy", rig.UnderstudyPort);
        using var viaHa = Probe("haproxy", rig.HaproxyPort);
        using var stop = new CancellationTokenSource();
        Task probing = Task.WhenAll(viaUs.RunAsync(stop.Token), viaHa.RunAsync(stop.Token));
        await Task.Delay(Before);

        var all = new List<Run>();
        for (int i = 1; i <= runs; i++)
        {
            var (from, to) = i % 2 == 1 ? ("web-a", "web-b") : ("web-b", "web-a");
            await ExpectOnlyOurSwitchesAsync(api, i, from);
            Func<Task<Switch>>[] order = [() => UnderstudyAsync(api, viaUs, from, to), () => HaproxyAsync(haproxy, viaHa, from, to)];
            if ((i - 1) / 2 % 2 == 1) Array.Reverse(order);
            foreach (var next in order)
            {
                Switch s = await next();
                TimeSpan quiet = s.DoneAt + After + Before - DateTimeOffset.UtcNow; // the window, then a clean "before" for the next switch
                if (quiet > TimeSpan.Zero) await Task.Delay(quiet);
                await SettledAsync(s.Probe, s.DoneAt + After);
                all.Add(Measure(s));
            }
            await log.WriteLineAsync(string.Join("  ", all.TakeLast(2).OrderByDescending(r => r.System).Select(r =>
                $"{r.System}: switch {r.SwitchMs:0} ms, worst {r.WorstMs:0} ms (p99 before {r.P99BeforeMs:0}), {r.Failed} failed")) + $"   (run {i}/{runs}, {from} → {to})");
        }
        await ExpectOnlyOurSwitchesAsync(api, runs + 1, runs % 2 == 1 ? "web-b" : "web-a");
        await stop.CancelAsync();
        await probing;
        return all;
    }

    /// <summary>
    /// Each of our switchovers advances the epoch by one, so before run <paramref name="run"/> it is
    /// <paramref name="run"/>: anything else is an automatic failover (checks timed out), whose fenced
    /// connections would pass for the switchover's failures.
    /// </summary>
    private static async Task ExpectOnlyOurSwitchesAsync(HttpClient api, int run, string primary)
    {
        ServiceView web = (await api.GetFromJsonAsync<StatusView>("/api/status", ApiJson.Options))!.Services[0];
        if (web.Epoch != run || web.Primary != primary)
            throw new InvalidOperationException($"before run {run} the controller is at epoch {web.Epoch} with {web.Primary} as primary, not epoch {run} with {primary}: "
                + "it failed over by itself (see GET /api/events), so the figures would not be a switchover's; run again on a quieter machine");
    }

    private static HttpProbe Probe(string name, int port) =>
        new(new ProbeSpec(name, ProbeKind.Http, $"http://127.0.0.1:{port}/", TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5)), TimeProvider.System);

    private static async Task<Switch> UnderstudyAsync(HttpClient api, HttpProbe probe, string from, string to)
    {
        DateTimeOffset requestedAt = DateTimeOffset.UtcNow;
        using var posted = await api.PostAsJsonAsync("/api/services/web/switchover", new ChangeBody(to, $"bench: planned switchover {from} → {to}"), ApiJson.Options);
        if (!posted.IsSuccessStatusCode) throw new InvalidOperationException($"switchover refused: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        string id = (await posted.Content.ReadFromJsonAsync<RequestView>(ApiJson.Options))!.Id;
        while (DateTimeOffset.UtcNow - requestedAt < Limit)
        {
            RequestView view = (await api.GetFromJsonAsync<RequestView>($"/api/requests/{id}", ApiJson.Options))!;
            if (view.State == "completed") return new Switch("understudy", probe, from, to, requestedAt, DateTimeOffset.UtcNow);
            if (view.State is "failed" or "rejected" or "expired") throw new InvalidOperationException($"switchover {id} {view.State}: {view.Detail}");
            await Task.Delay(10);
        }
        throw new TimeoutException($"switchover {id} not completed within {Limit.TotalSeconds:0} s");
    }

    /// <summary>
    /// web-b is a `backup` server (Configs.Haproxy), so it takes new connections once web-a is drained
    /// (weight 0), and web-a takes them back as soon as it is ready. The old server then gets up to 5 s
    /// (Understudy's default hold) for its open sessions to end before it goes to maint.
    /// </summary>
    private static async Task<Switch> HaproxyAsync(HaproxyRuntime haproxy, HttpProbe probe, string from, string to)
    {
        DateTimeOffset requestedAt = DateTimeOffset.UtcNow;
        await haproxy.SetAsync($"set server be/{to} state ready; set server be/{from} state drain");
        DateTimeOffset returned = DateTimeOffset.UtcNow;
        DateTimeOffset? answered;
        while ((answered = FirstAnswer(probe.Samples, to, requestedAt)) is null && DateTimeOffset.UtcNow - requestedAt < Limit) await Task.Delay(10);
        if (answered is null) throw new TimeoutException($"{to} did not answer through haproxy within {Limit.TotalSeconds:0} s");
        while (await haproxy.SessionsAsync("be", from) > 0 && DateTimeOffset.UtcNow - returned < TimeSpan.FromSeconds(5)) await Task.Delay(10);
        await haproxy.SetAsync($"set server be/{from} state maint");
        return new Switch("haproxy", probe, from, to, requestedAt, answered > returned ? answered.Value : returned);
    }

    private static DateTimeOffset? FirstAnswer(IReadOnlyList<ProbeSample> samples, string member, DateTimeOffset since) =>
        samples.Where(s => s.Ok && s.AnsweredBy == member && s.End >= since).Select(s => (DateTimeOffset?)s.End).Min();

    /// <summary>Until no attempt that started by <paramref name="until"/> is still running (each is bounded by the probe's timeout).</summary>
    private static async Task SettledAsync(HttpProbe probe, DateTimeOffset until)
    {
        DateTimeOffset deadline = DateTimeOffset.UtcNow + probe.Spec.Timeout + TimeSpan.FromSeconds(1);
        while (probe.OldestRunning <= until && DateTimeOffset.UtcNow < deadline) await Task.Delay(10);
    }

    /// <summary>The window is [request, done + 1 s] (attempts overlapping it); "before" is the 2 s of attempts that ended before the request.</summary>
    private static Run Measure(Switch s)
    {
        var samples = s.Probe.Samples;
        var before = samples.Where(x => x.Start >= s.RequestedAt - Before && x.End < s.RequestedAt).Select(x => x.Latency.TotalMilliseconds).Order().ToList();
        var window = samples.Where(x => x.End >= s.RequestedAt && x.Start <= s.DoneAt + After).ToList();
        var failures = window.Where(x => !x.Ok).Select(x => $"{x.Error} started {(x.Start - s.RequestedAt).TotalMilliseconds:0} ms after the request, failed after {x.Latency.TotalMilliseconds:0} ms: {x.Detail}").ToList();
        return new Run(s.System, s.From, s.To, (s.DoneAt - s.RequestedAt).TotalMilliseconds,
            FirstAnswer(samples, s.To, s.RequestedAt) is { } first ? (first - s.RequestedAt).TotalMilliseconds : double.NaN,
            failures.Count, window.Max(x => x.Latency.TotalMilliseconds), before[(int)Math.Ceiling(before.Count * 0.99) - 1], failures);
    }

    public static void Print(List<Run> runs, TextWriter w)
    {
        w.WriteLine($"### Planned switchover, {runs.Count / 2} runs (web-a → web-b and back, alternating; a GET every 10 ms on a new connection through each path)");
        w.WriteLine();
        w.WriteLine("| system | request → switch done, median / max (ms) | request → first answer from new primary, median / max (ms) | failed requests in window, median / max | worst latency in window, median / max (ms) | p99 latency of the 2 s before, median (ms) | worst / p99 before, median |");
        w.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var g in runs.GroupBy(r => r.System))
            w.WriteLine($"| {g.Key} | {Ms(Median(g.Select(r => r.SwitchMs)))} / {Ms(g.Max(r => r.SwitchMs))} | {Ms(Median(g.Select(r => r.FirstAnswerMs)))} / {Ms(g.Max(r => r.FirstAnswerMs))} | {Ms(Median(g.Select(r => (double)r.Failed)))} / {g.Max(r => r.Failed)} | {Ms(Median(g.Select(r => r.WorstMs)))} / {Ms(g.Max(r => r.WorstMs))} | {Ms(Median(g.Select(r => r.P99BeforeMs)))} | {Median(g.Select(r => r.WorstMs / r.P99BeforeMs)):0.0} |");
        double Of(string system, Func<Run, double> f) => Median(runs.Where(r => r.System == system).Select(f));
        double Ratio(Func<Run, double> f) => Of("understudy", f) / Of("haproxy", f);
        w.WriteLine();
        w.WriteLine("Window: attempts overlapping [switch requested, switch done + 1 s]. Switch done: Understudy, the request read back `completed` (polled every 10 ms); HAProxy, the runtime command returned and the new primary answered.");
        w.WriteLine($"Ratios understudy / haproxy, medians: switch done {Ratio(r => r.SwitchMs):0.00}, first answer from new primary {Ratio(r => r.FirstAnswerMs):0.00}, worst latency in window {Ratio(r => r.WorstMs):0.00}.");
        var failed = runs.Where(r => r.Failed > 0).ToList();
        w.WriteLine(failed.Count == 0 ? "Failed attempts in any window: none." : "Failed attempts:");
        foreach (var r in failed)
            foreach (string f in r.Failures) w.WriteLine($"- {r.System}, {r.From} → {r.To}: {f}");
    }
}
