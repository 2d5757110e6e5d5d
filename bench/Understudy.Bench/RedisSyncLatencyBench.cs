using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// What Redis synchronous mode costs a writer: one redis-server primary with one replica, reached directly, through
/// Understudy's proxy without synchronous mode (a byte relay) and through it with <c>synchronous: true</c> (a WAIT per
/// batch of writes). Each round, each path: one keep-alive connection sending SETs one after another (single-write
/// latency), then batches of 10 pipelined SETs (batch latency). Rounds interleave the paths.
/// </summary>
internal static class RedisSyncLatencyBench
{
    public sealed record Round(string Path, double P50Us, double P99Us, double BatchP50Us, double BatchP99Us);

    private const int Writes = 2000, Batches = 500, BatchSize = 10;

    public static async Task<List<Round>> RunAsync(int rounds, TextWriter log)
    {
        string dir = Directory.CreateTempSubdirectory("understudy-bench-redis-").FullName;
        var output = new StringBuilder();
        int primaryPort = FreePort.Next(), replicaPort = FreePort.Next();
        var started = new List<Process>();
        try
        {
            started.Add(Redis(dir, "r1", primaryPort, null, output));
            await Children.WaitForPortAsync(primaryPort, TimeSpan.FromSeconds(20), started[^1], () => output.ToString());
            started.Add(Redis(dir, "r2", replicaPort, primaryPort, output));
            await Children.WaitForPortAsync(replicaPort, TimeSpan.FromSeconds(20), started[^1], () => output.ToString());

            var paths = new List<(string Name, int Port)> { ("direct", primaryPort) };
            foreach (bool synchronous in (bool[])[false, true])
            {
                int proxy = FreePort.Next(), api = FreePort.Next();
                string config = Path.Combine(dir, $"understudy-{(synchronous ? "sync" : "async")}.yaml");
                await File.WriteAllTextAsync(config, $$"""
                    controller: { api: 127.0.0.1:{{api}}, journal: {{(synchronous ? "sync" : "async")}}.db }
                    services:
                      cache:
                        kind: redis
                        members:
                          - { name: r1, address: 127.0.0.1:{{primaryPort}} }
                          - { name: r2, address: 127.0.0.1:{{replicaPort}} }
                        check: { interval: 200ms, timeout: 150ms, fall: 3, rise: 1 }
                        failover: { synchronous: {{(synchronous ? "true" : "false")}} }
                        traffic: { proxy: { listen: 127.0.0.1:{{proxy}} } }
                    """);
                started.Add(Children.Controller(config, output));
                paths.Add((synchronous ? "Understudy, synchronous" : "Understudy, asynchronous", proxy));
                // Routed once a SET through it works (the controller first reads both roles).
                await EventuallyAsync(() => RoutesAsync(proxy), $"the proxy on {proxy} to route", started[^1], output);
            }

            var results = new List<Round>();
            for (int r = 1; r <= rounds; r++)
            {
                foreach (var (name, port) in paths)
                {
                    var (p50, p99) = await LatencyAsync(port, Writes, 1);
                    var (b50, b99) = await LatencyAsync(port, Batches, BatchSize);
                    results.Add(new Round(name, p50, p99, b50, b99));
                    await log.WriteLineAsync($"round {r}/{rounds} {name}: SET p50 {p50:0} µs p99 {p99:0} µs; batch of {BatchSize} p50 {b50:0} µs p99 {b99:0} µs");
                }
            }
            return results;
        }
        finally
        {
            foreach (Process p in Enumerable.Reverse(started)) Children.Stop(p);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    public static void Print(List<Round> rounds, TextWriter w)
    {
        w.WriteLine($"### Redis synchronous mode: write latency (primary + 1 replica on 127.0.0.1; {rounds.Count / 3} interleaved rounds, medians of the rounds)");
        w.WriteLine();
        w.WriteLine($"| path | SET p50 (µs) | SET p99 (µs) | p50 ratio to direct | batch of {BatchSize} p50 (µs) | batch p99 (µs) | batch p50 ratio to direct |");
        w.WriteLine("|---|---|---|---|---|---|---|");
        double direct = Stats.Median(rounds.Where(r => r.Path == "direct").Select(r => r.P50Us));
        double directBatch = Stats.Median(rounds.Where(r => r.Path == "direct").Select(r => r.BatchP50Us));
        foreach (var path in rounds.GroupBy(r => r.Path))
        {
            double p50 = Stats.Median(path.Select(r => r.P50Us)), b50 = Stats.Median(path.Select(r => r.BatchP50Us));
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {path.Key} | {p50:0} | {Stats.Median(path.Select(r => r.P99Us)):0} | {p50 / direct:0.00} | {b50:0} | {Stats.Median(path.Select(r => r.BatchP99Us)):0} | {b50 / directBatch:0.00} |"));
        }
    }

    private static Process Redis(string dir, string name, int port, int? primary, StringBuilder output)
    {
        var psi = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
                "--logfile", Path.Combine(dir, $"{name}.log") },
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        if (primary is { } p) foreach (string a in (string[])["--replicaof", "127.0.0.1", p.ToString(CultureInfo.InvariantCulture)]) psi.ArgumentList.Add(a);
        Process process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>Per round trip on one connection: <paramref name="count"/> sends of <paramref name="batch"/> pipelined SETs, in µs.</summary>
    private static async Task<(double P50, double P99)> LatencyAsync(int port, int count, int batch)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        NetworkStream stream = client.GetStream();
        byte[] request = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, batch).Select(i => $"*3\r\n$3\r\nSET\r\n$6\r\nbench{i}\r\n$1\r\n1\r\n")));
        byte[] reply = new byte[5 * batch];
        var samples = new double[count];
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            await stream.WriteAsync(request);
            await stream.ReadExactlyAsync(reply);
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (reply[0] != (byte)'+') throw new InvalidOperationException($"port {port}: {Encoding.ASCII.GetString(reply)}");
        }
        Array.Sort(samples);
        return (samples[count / 2], samples[(int)(count * 0.99)]);
    }

    private static async Task<bool> RoutesAsync(int port)
    {
        try
        {
            await LatencyAsync(port, 1, 1);
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException) { return false; }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, Process owner, StringBuilder output)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (owner.HasExited || sw.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException($"gave up waiting for {what}:\n{output}");
            await Task.Delay(100);
        }
    }
}
