using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using static Understudy.Bench.Stats;

namespace Understudy.Bench;

/// <summary>
/// Requests per second (wrk -t2 -c64), latency of GETs in sequence on one keep-alive connection, and latency at a
/// fixed rate (<see cref="FixedRateLatency"/>: 2,000 req/s over 16 connections) for the same sample app reached
/// directly, through Understudy's proxy and through HAProxy in mode tcp. Rounds interleave the three paths, and ratios are taken within a round, because on 2
/// cores wrk, the app and the proxy share the CPUs and absolute numbers drift.
/// </summary>
internal static partial class ThroughputBench
{
    internal sealed record Round(string Path, double Rps, double P50Us, double P99Us, double FixedP50Us, double FixedP99Us);

    private const int FixedRate = 2000, FixedConnections = 16;

    public static async Task<List<Round>> RunAsync(int rounds, TimeSpan duration, TextWriter log)
    {
        using Rig rig = await Rig.StartAsync("tcp");
        var results = new List<Round>();
        (string, int)[] paths = [("direct", rig.PortA), ("understudy", rig.UnderstudyPort), ("haproxy", rig.HaproxyPort)];
        // Warm up: tiered JIT in the app and the proxy needs seconds of load, or round 1 measures a cold app.
        foreach (var (_, port) in paths)
        {
            await WrkAsync(port, duration);
            await SequentialLatencyAsync(port, 2000);
        }
        for (int r = 1; r <= rounds; r++)
        {
            foreach (var (path, port) in paths)
            {
                double rps = await WrkAsync(port, duration);
                var (p50, p99) = await SequentialLatencyAsync(port, 2000);
                var (fixed50, fixed99) = await FixedRateLatency.RunAsync(port, FixedRate, FixedConnections, duration);
                results.Add(new Round(path, rps, p50, p99, fixed50, fixed99));
                await log.WriteLineAsync($"round {r}/{rounds} {path}: {rps:0} req/s, p50 {p50:0} µs, p99 {p99:0} µs; at {FixedRate} req/s p50 {fixed50:0} µs, p99 {fixed99:0} µs");
            }
        }
        return results;
    }

    private static async Task<double> WrkAsync(int port, TimeSpan duration)
    {
        var psi = new ProcessStartInfo("wrk", ["-t2", "-c64", $"-d{(int)duration.TotalSeconds}s", $"http://127.0.0.1:{port}/"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Match m = RequestsPerSecond().Match(output);
        if (!m.Success) throw new InvalidOperationException($"wrk printed no Requests/sec:\n{output}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<(double P50, double P99)> SequentialLatencyAsync(int port, int requests)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        var url = new Uri($"http://127.0.0.1:{port}/");
        var us = new double[requests];
        for (int i = 0; i < requests; i++)
        {
            long t = Stopwatch.GetTimestamp();
            (await http.GetAsync(url)).EnsureSuccessStatusCode();
            us[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Array.Sort(us);
        return (us[requests / 2], us[requests * 99 / 100]);
    }

    public static void Print(List<Round> rounds, TextWriter w)
    {
        var direct = rounds.Where(r => r.Path == "direct").ToList();
        w.WriteLine($"### Throughput and added latency, {direct.Count} interleaved rounds (wrk -t2 -c64; sequential GETs on one keep-alive connection; "
            + $"{FixedRate} req/s over {FixedConnections} keep-alive connections, timed from the intended send)");
        w.WriteLine();
        w.WriteLine("| path | median req/s | median ratio to direct | p50 latency (µs) | added p50 (µs) | p99 latency (µs) | fixed rate p50 (µs) | added p50 (µs) | fixed rate p99 (µs) | added p99 (µs) |");
        w.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var g in rounds.GroupBy(r => r.Path))
        {
            var list = g.ToList();
            double ratio = Median(list.Select((r, i) => r.Rps / direct[i].Rps));
            double added = Median(list.Select((r, i) => r.P50Us - direct[i].P50Us));
            double added50 = Median(list.Select((r, i) => r.FixedP50Us - direct[i].FixedP50Us)), added99 = Median(list.Select((r, i) => r.FixedP99Us - direct[i].FixedP99Us));
            w.WriteLine($"| {g.Key} | {Median(list.Select(r => r.Rps)):0} | {ratio:0.00} | {Median(list.Select(r => r.P50Us)):0} | {added:0} | {Median(list.Select(r => r.P99Us)):0} | "
                + $"{Median(list.Select(r => r.FixedP50Us)):0} | {added50:0} | {Median(list.Select(r => r.FixedP99Us)):0} | {added99:0} |");
        }
        var us = rounds.Where(r => r.Path == "understudy").ToList();
        var ha = rounds.Where(r => r.Path == "haproxy").ToList();
        w.WriteLine();
        w.WriteLine($"Understudy / HAProxy (tcp) throughput, median of per-round ratios: {Median(us.Select((r, i) => r.Rps / ha[i].Rps)):0.00}.");
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
