using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Understudy.Api;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// One controller with many services (two http members each, checked every second, each with its proxy), against one
/// backend in this process (Kestrel on every member's port; a member "fails" by answering 503). Reports the
/// controller's CPU and memory at rest, how its checks spread over the second, /health's latency meanwhile, and how
/// long a primary's failure takes to become failover.started — beside a controller of one service; then, the controller
/// stopped, HAProxy checking the same members alike (<see cref="ScaleHaproxy"/>), its CPU the anchor for the controller's.
/// </summary>
public static class ScaleBench
{
    public sealed record Result(int Services, double CpuPercentOfOneCore, double RssMiB, int MinPerSlot, int MaxPerSlot, double HealthP50Ms, double HealthP99Ms,
        IReadOnlyList<double> DetectionMs, Anchor? Haproxy = null);

    /// <summary>HAProxy checking the same members alike (<see cref="ScaleHaproxy"/>), after the controller stopped: its CPU and checks per slot.</summary>
    public sealed record Anchor(double CpuPercentOfOneCore, double RssMiB, int MinPerSlot, int MaxPerSlot);

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5), Sample = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the controller runs before its window at rest: the JIT's tiering of a fresh process (0.1 s of CPU a second
    /// five seconds after the start, gone by half a minute) is start-up, not what a controller costs while it runs.
    /// </summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(30);
    private const string Check = "{ path: /health, interval: 1s, timeout: 500ms, fall: 3, rise: 2 }";

    public static async Task<IReadOnlyList<Result>> RunAsync(int services, int failures, TextWriter progress)
    {
        // The baseline: one service, a fresh controller for each failure (a failed-over service stays failed over).
        var single = new List<double>();
        for (int i = 0; i < failures; i++)
        {
            await using var small = await Setup.StartAsync(1, progress);
            single.Add(await small.DetectAsync(0));
        }
        var baseline = new Result(1, double.NaN, double.NaN, 0, 0, double.NaN, double.NaN, single);

        await using var big = await Setup.StartAsync(services, progress);
        progress.WriteLine($"{services} services up; warming up {WarmUp.TotalSeconds:0} s, then measuring {Sample.TotalSeconds:0} s at rest");
        await Task.Delay(WarmUp);
        var (cpu, rss, minSlot, maxSlot, p50, p99) = await big.AtRestAsync();
        var detections = new List<double>();
        for (int i = 0; i < failures; i++) detections.Add(await big.DetectAsync((i * 7919 + 13) % services));
        progress.WriteLine($"controller stopped; HAProxy checking the same {services * 2} members, measuring {Sample.TotalSeconds:0} s");
        Anchor? haproxy = null;
        try { haproxy = await big.HaproxyAtRestAsync(); }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception)
        {
            progress.WriteLine($"HAProxy not measured: {e.Message}"); // the controller's figures stand without it
        }
        return [baseline, new Result(services, cpu, rss, minSlot, maxSlot, p50, p99, detections, haproxy)];
    }

    private sealed class Setup : IAsyncDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("understudy-scale-").FullName;
        private readonly StringBuilder _output = new();
        private readonly ConcurrentDictionary<int, bool> _failing = new();
        private readonly ConcurrentQueue<long> _arrivals = new();
        private readonly int[] _primaryPorts;
        private readonly List<(int A, int B)> _members = [];
        private readonly int _api;
        private readonly TextWriter _progress;
        private WebApplication? _backend;
        private Process? _controller;
        private volatile bool _recording;

        private Setup(int services, TextWriter progress)
        {
            _progress = progress;
            _primaryPorts = new int[services];
            _api = FreePort.Next();
        }

        /// <summary>Ports are picked free, then bound: another process may take one meanwhile, so a failed bind starts again.</summary>
        public static async Task<Setup> StartAsync(int services, TextWriter progress)
        {
            for (int attempt = 1; ; attempt++)
            {
                try { return await TryStartAsync(services, progress); }
                catch (Exception e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    progress.WriteLine($"  a port was taken meanwhile; starting again ({e.Message.Split('\n')[^2].Trim()})");
                }
            }
        }

        private static async Task<Setup> TryStartAsync(int services, TextWriter progress)
        {
            var s = new Setup(services, progress);
            try
            {
                var config = new StringBuilder($"controller: {{ api: 127.0.0.1:{s._api}, journal: journal.db }}\nservices:\n");
                var ports = new List<int>();
                for (int i = 0; i < services; i++)
                {
                    int a = FreePort.Next(), b = FreePort.Next(), proxy = FreePort.Next();
                    s._primaryPorts[i] = a;
                    s._members.Add((a, b));
                    ports.AddRange([a, b]);
                    config.Append($$"""
                          svc-{{i:0000}}:
                            kind: http
                            members:
                              - { name: a, address: 127.0.0.1:{{a}} }
                              - { name: b, address: 127.0.0.1:{{b}} }
                            primary: a
                            check: {{Check}}
                            failover: { mode: automatic, cooldown: 30s }
                            traffic:
                              proxy: { listen: 127.0.0.1:{{proxy}} }

                        """);
                }
                await s.StartBackendAsync(ports);
                string file = Path.Combine(s._dir, "understudy.yaml");
                await File.WriteAllTextAsync(file, config.ToString());
                s._controller = Children.Controller(file, s._output);
                await s.AllUpAsync(services, TimeSpan.FromSeconds(120));
                return s;
            }
            catch
            {
                await s.DisposeAsync();
                throw;
            }
        }

        /// <summary>Kestrel on every member's port: 200 from /health, 503 for a port made to fail; arrivals recorded on request.</summary>
        private async Task StartBackendAsync(IReadOnlyList<int> ports)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => { foreach (int port in ports) k.Listen(IPAddress.Loopback, port); });
            _backend = builder.Build();
            _backend.MapGet("/health", (HttpContext ctx) =>
            {
                if (_recording) _arrivals.Enqueue(Stopwatch.GetTimestamp());
                return _failing.ContainsKey(ctx.Connection.LocalPort) ? Results.StatusCode(503) : Results.Text("ok");
            });
            await _backend.StartAsync();
        }

        private async Task AllUpAsync(int services, TimeSpan within)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < within)
            {
                if (_controller!.HasExited) throw new InvalidOperationException($"the controller exited:\n{_output}");
                try
                {
                    var status = await http.GetFromJsonAsync<StatusView>($"http://127.0.0.1:{_api}/api/status", ApiJson.Options);
                    int up = status!.Services.Count(s => s.Members.All(m => m.Health == "up"));
                    if (up == services) return;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(500);
            }
            throw new TimeoutException($"not every service up within {within.TotalSeconds:0} s:\n{_output}");
        }

        /// <summary>CPU (share of one core) and RSS of the controller over <see cref="Sample"/>, checks per 100 ms slot meanwhile, and /health latency.</summary>
        public async Task<(double Cpu, double RssMiB, int MinSlot, int MaxSlot, double P50, double P99)> AtRestAsync()
        {
            var p = _controller!;
            p.Refresh();
            TimeSpan cpu0 = p.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            _recording = true;
            var latencies = new List<double>();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (wall.Elapsed < Sample)
            {
                var one = Stopwatch.StartNew();
                (await http.GetAsync($"http://127.0.0.1:{_api}/health")).EnsureSuccessStatusCode();
                latencies.Add(one.Elapsed.TotalMilliseconds);
                await Task.Delay(100);
            }
            _recording = false;
            p.Refresh();
            double cpu = (p.TotalProcessorTime - cpu0).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
            double rss = p.WorkingSet64 / (1024.0 * 1024);
            var (minSlot, maxSlot) = TakeSlots();
            latencies.Sort();
            return (cpu, rss, minSlot, maxSlot, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
        }

        /// <summary>Checks arrived per 100 ms slot since the last call (min, max); whole slots only: the first and last are cut.</summary>
        private (int Min, int Max) TakeSlots()
        {
            var slots = _arrivals.Select(t => (long)(Stopwatch.GetElapsedTime(t).TotalMilliseconds / 100)).GroupBy(s => s).OrderBy(g => g.Key)
                .Skip(1).SkipLast(1).Select(g => g.Count()).ToList();
            _arrivals.Clear();
            return (slots.DefaultIfEmpty(0).Min(), slots.DefaultIfEmpty(0).Max());
        }

        /// <summary>
        /// Stops the controller, then runs HAProxy on the same members (all answering 200 again), and measures its CPU over
        /// <see cref="Sample"/> after <see cref="Settle"/>, as the controller's was; HAProxy is stopped by its PID after.
        /// </summary>
        public async Task<Anchor> HaproxyAtRestAsync()
        {
            Children.Stop(_controller!);
            _controller = null;
            _failing.Clear();
            var services = _members.Select(m => (m.A, m.B, Listen: FreePort.Next())).ToList();
            string file = Path.Combine(_dir, "haproxy.cfg");
            await File.WriteAllTextAsync(file, ScaleHaproxy.Config(services));
            var output = new StringBuilder();
            Process haproxy = Children.Haproxy(file, output);
            try
            {
                await Children.WaitForPortAsync(services[^1].Listen, TimeSpan.FromSeconds(30), haproxy, () => output.ToString());
                await Task.Delay(Settle);
                haproxy.Refresh();
                TimeSpan cpu0 = haproxy.TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                _arrivals.Clear();
                _recording = true;
                await Task.Delay(Sample);
                _recording = false;
                haproxy.Refresh();
                double cpu = (haproxy.TotalProcessorTime - cpu0).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
                double rss = haproxy.WorkingSet64 / (1024.0 * 1024);
                var (minSlot, maxSlot) = TakeSlots();
                return new Anchor(cpu, rss, minSlot, maxSlot);
            }
            finally { Children.Stop(haproxy); }
        }

        /// <summary>Makes service <paramref name="index"/>'s primary answer 503; the time until its failover.started.</summary>
        public async Task<double> DetectAsync(int index)
        {
            string service = $"svc-{index:0000}";
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var failedAt = DateTimeOffset.UtcNow;
            _failing[_primaryPorts[index]] = true;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                var page = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{_api}/api/events?service={service}&type=failover.started&order=desc&limit=1");
                if (page.GetProperty("events").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } e)
                {
                    double ms = (e.GetProperty("time").GetDateTimeOffset() - failedAt).TotalMilliseconds;
                    _progress.WriteLine($"  {service}: failover.started {ms:0} ms after its primary failed");
                    return ms;
                }
                await Task.Delay(20);
            }
            throw new TimeoutException($"{service}: no failover.started within 30 s");
        }

        public async ValueTask DisposeAsync()
        {
            if (_controller is not null) Children.Stop(_controller);
            _controller = null;
            if (_backend is not null) await _backend.DisposeAsync();
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        }
    }

    public static void Print(IReadOnlyList<Result> runs, TextWriter o)
    {
        Result one = runs[0], many = runs[^1];
        double Median(IReadOnlyList<double> xs) => xs.Count == 0 ? double.NaN : xs.Order().ElementAt(xs.Count / 2); // none with --failures 0
        o.WriteLine($"| services | controller CPU (% of one core) | RSS | checks per 100 ms slot (min–max) | /health p50 / p99 | failover.started after the primary fails (median; each run) |");
        o.WriteLine("|---|---|---|---|---|---|");
        o.WriteLine($"| 1 | — | — | — | — | {Median(one.DetectionMs):0} ms ({string.Join(", ", one.DetectionMs.Select(d => d.ToString("0")))}) |");
        o.WriteLine($"| {many.Services} | {many.CpuPercentOfOneCore:0.0} % | {many.RssMiB:0} MiB | {many.MinPerSlot}–{many.MaxPerSlot} | {many.HealthP50Ms:0.0} / {many.HealthP99Ms:0.0} ms | " +
                    $"{Median(many.DetectionMs):0} ms ({string.Join(", ", many.DetectionMs.Select(d => d.ToString("0")))}) |");
        o.WriteLine();
        o.WriteLine($"Detection ratio, {many.Services} services to 1: {Median(many.DetectionMs) / Median(one.DetectionMs):0.00}.");
        if (many.Haproxy is { } ha)
            o.WriteLine($"HAProxy checking the same {many.Services * 2} members alike: {ha.CpuPercentOfOneCore:0.0} % of one core, {ha.RssMiB:0} MiB, " +
                        $"{ha.MinPerSlot}–{ha.MaxPerSlot} checks per 100 ms slot; the controller / HAProxy CPU: {many.CpuPercentOfOneCore / ha.CpuPercentOfOneCore:0.00}.");
    }
}
