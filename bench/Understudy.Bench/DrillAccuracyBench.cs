using System.Collections.Concurrent;
using System.Diagnostics;
using Understudy.Core.Drills;
using Understudy.Drills;
using static Understudy.Bench.Stats;

namespace Understudy.Bench;

/// <summary>
/// How exactly does a drill measure? One drill with a probe through Understudy's proxy and one through
/// HAProxy (the drill does not care what it measures) kills the primary, while independent client loops,
/// written apart from the product's probes, watch the same two addresses. Reports the drill's figures,
/// the independent ones, and the differences.
/// </summary>
internal static class DrillAccuracyBench
{
    internal sealed record Row(string System, double DrillRtoMs, double ClientRtoMs, double DrillRecoveryMs, double ClientRecoveryMs);

    public static async Task<List<Row>> RunAsync(int runs, TextWriter log)
    {
        var rows = new List<Row>();
        for (int i = 1; i <= runs; i++)
        {
            using Rig rig = await Rig.StartAsync("http");
            await Task.Delay(TimeSpan.FromSeconds(1)); // both proxies see both backends up
            string dir = Directory.CreateTempSubdirectory("understudy-bench-drill-").FullName;
            string file = Path.Combine(dir, "drill.yaml");
            await File.WriteAllTextAsync(file, $$"""
                name: accuracy
                probes:
                  - { name: understudy, http: { url: "http://127.0.0.1:{{rig.UnderstudyPort}}/", interval: 10ms, timeout: 3s } }
                  - { name: haproxy, http: { url: "http://127.0.0.1:{{rig.HaproxyPort}}/", interval: 10ms, timeout: 3s } }
                steady_state: { duration: 1s, max_error_rate: 0 }
                faults:
                  - kill_process: { pid: {{rig.A.Pid}} }
                recovery: { timeout: 20s, stable_for: 1s }
                """);
            var spec = DrillLoader.Load(file).Spec!;
            var clients = new[] { new Loop($"http://127.0.0.1:{rig.UnderstudyPort}/"), new Loop($"http://127.0.0.1:{rig.HaproxyPort}/") };
            var record = await new DrillRunner(new DrillContext(spec, null, new QuietObserver(), TimeProvider.System, TextReader.Null)).RunAsync(CancellationToken.None);
            var report = ReportAssembly.Build(record);
            var independent = await Task.WhenAll(clients.Select(c => c.StopAsync()));
            DateTimeOffset fault = report.FaultAt!.Value;
            for (int k = 0; k < 2; k++)
            {
                ProbeResult p = report.Probes[k];
                var (rto, recovery) = Loop.Measure(independent[k], fault, spec.Recovery.StableFor);
                rows.Add(new Row(p.Name, p.RtoMs ?? double.NaN, rto, p.RecoveryTimeMs ?? double.NaN, recovery));
            }
            await log.WriteLineAsync(string.Join("  ", rows.TakeLast(2).Select(r =>
                $"{r.System}: drill RTO {r.DrillRtoMs:0} / client {r.ClientRtoMs:0} ms, recovery {r.DrillRecoveryMs:0} / {r.ClientRecoveryMs:0} ms")) + $"   (run {i}/{runs})");
            Directory.Delete(dir, true);
        }
        return rows;
    }

    public static void Print(List<Row> rows, TextWriter w)
    {
        w.WriteLine($"### Drill accuracy, {rows.Count / 2} runs (primary SIGKILL; probes every 10 ms through each proxy; independent client loops beside them)");
        w.WriteLine();
        w.WriteLine("| system measured | drill RTO, median (ms) | independent RTO, median (ms) | RTO difference, median / max (ms) | drill recovery time, median (ms) | independent recovery time, median (ms) | recovery difference, median / max (ms) |");
        w.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var g in rows.GroupBy(r => r.System))
        {
            var dRto = g.Select(r => Math.Abs(r.DrillRtoMs - r.ClientRtoMs)).ToList();
            var dRec = g.Select(r => Math.Abs(r.DrillRecoveryMs - r.ClientRecoveryMs)).ToList();
            w.WriteLine($"| {g.Key} | {Ms(Median(g.Select(r => r.DrillRtoMs)))} | {Ms(Median(g.Select(r => r.ClientRtoMs)))} | {Ms(Median(dRto))} / {Ms(dRto.Max())} | {Ms(Median(g.Select(r => r.DrillRecoveryMs)))} | {Ms(Median(g.Select(r => r.ClientRecoveryMs)))} | {Ms(Median(dRec))} / {Ms(dRec.Max())} |");
        }
    }

    private sealed class QuietObserver : IDrillObserver
    {
        public void PhaseStarted(string phase) { }
        public void StepFinished(StepRecord step) { }
        public void Progress(string phase, TimeSpan elapsed, int attempts, int failures) { }
        public void Manual(string instruction, TimeSpan timeout) { }
    }

    /// <summary>A GET every 10 ms on a new connection, kept apart from the product's probe code.</summary>
    private sealed class Loop
    {
        private readonly ConcurrentQueue<(DateTimeOffset Start, DateTimeOffset End, bool Ok)> _attempts = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public Loop(string url) => _task = Task.Run(async () =>
        {
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(3) };
            var pending = new List<Task>();
            var clock = Stopwatch.StartNew();
            for (long i = 0; !_stop.IsCancellationRequested; i++)
            {
                pending.Add(Task.Run(async () =>
                {
                    var start = DateTimeOffset.UtcNow;
                    bool ok;
                    try { ok = (await http.GetAsync(url)).IsSuccessStatusCode; }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { ok = false; }
                    _attempts.Enqueue((start, DateTimeOffset.UtcNow, ok));
                }));
                var next = TimeSpan.FromMilliseconds(10 * (i + 1)) - clock.Elapsed;
                if (next > TimeSpan.Zero) await Task.Delay(next);
            }
            await Task.WhenAll(pending);
        });

        public async Task<List<(DateTimeOffset Start, DateTimeOffset End, bool Ok)>> StopAsync()
        {
            await _stop.CancelAsync();
            await _task;
            return [.. _attempts.OrderBy(a => a.Start)];
        }

        public static (double Rto, double Recovery) Measure(List<(DateTimeOffset Start, DateTimeOffset End, bool Ok)> a, DateTimeOffset fault, TimeSpan stableFor)
        {
            double recovery = (a.First(x => x.Ok && x.Start >= fault).End - fault).TotalMilliseconds;
            var firstFail = a.Where(x => !x.Ok && x.End >= fault).OrderBy(x => x.Start).FirstOrDefault();
            if (firstFail == default) return (0, recovery);
            for (int i = 0; i < a.Count; i++)
            {
                if (a[i].Start < firstFail.Start || !a[i].Ok) continue;
                var run = a.Skip(i).TakeWhile(x => x.Ok).ToList();
                if (run[^1].End - run[0].Start >= stableFor) return ((run[0].End - firstFail.Start).TotalMilliseconds, recovery);
            }
            return (double.NaN, recovery);
        }
    }
}
