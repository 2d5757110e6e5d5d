using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Understudy.Demo;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// Reloads under load: one controller with three services over two sample apps — <c>web</c> never changes, <c>api</c>
/// changes its check threshold at every reload, <c>extra</c> is added and removed in turn — while keep-alive clients
/// send GETs through web's and api's proxies without pause. Every reload goes through <c>POST /api/reload</c>; a
/// client whose connection is cut, or a request that fails, is counted.
/// </summary>
internal static class ReloadBench
{
    internal sealed record Result(int Reloads, int Applied, double P50Ms, double P99Ms, double MaxMs, long Requests, long Failed, int Connections, int Dropped, int Reconnects,
        Footprint Before, Footprint After);

    /// <summary>The controller's resident memory, threads and open files.</summary>
    internal sealed record Footprint(double RssMiB, int Threads, int Fds)
    {
        public static Footprint Of(int pid) => new(Proc.RssMiB(pid), Directory.GetDirectories($"/proc/{pid}/task").Length, Proc.Fds(pid));

        public override string ToString() => $"{RssMiB:0} MiB, {Threads} threads, {Fds} files";
    }

    private const int ClientsPerService = 8;

    public static async Task<Result> RunAsync(int reloads, TextWriter log)
    {
        string dir = Directory.CreateTempSubdirectory("understudy-bench-reload-").FullName;
        int a = FreePort.Next(), b = FreePort.Next(), api = FreePort.Next(), web = FreePort.Next(), apiProxy = FreePort.Next(), extra = FreePort.Next();
        string config = Path.Combine(dir, "understudy.yaml");
        string Config(bool withExtra, int fall) => $"controller: {{ api: 127.0.0.1:{api}, journal: journal.db }}\nservices:\n"
            + Service("web", a, b, web, 3) + Service("api", a, b, apiProxy, fall) + (withExtra ? Service("extra", a, b, extra, 3) : "");
        await File.WriteAllTextAsync(config, Config(false, 3));
        var output = new StringBuilder();
        using var appA = await SampleAppProcess.StartAsync("web-a", a, TimeSpan.FromSeconds(20));
        using var appB = await SampleAppProcess.StartAsync("web-b", b, TimeSpan.FromSeconds(20));
        Process controller = Children.Controller(config, output);
        try
        {
            await Children.WaitForPortAsync(web, TimeSpan.FromSeconds(20), controller, () => output.ToString());
            await Children.WaitForPortAsync(apiProxy, TimeSpan.FromSeconds(20), controller, () => output.ToString());
            await Children.WaitForPortAsync(api, TimeSpan.FromSeconds(20), controller, () => output.ToString());
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, ClientsPerService * 2).Select(i => new Client(i % 2 == 0 ? web : apiProxy)).ToList();
            Task[] load = [.. clients.Select(c => c.RunAsync(stop.Token))];
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api}"), Timeout = TimeSpan.FromSeconds(30) };
            var took = new List<double>();
            int applied = 0;
            // Warmed up by the same reloads first, so the footprint compares steady states, not a cold start.
            for (int i = 1; i <= 4; i++)
            {
                await File.WriteAllTextAsync(config, Config(i % 2 == 1, 3 + i % 2));
                (await http.PostAsync("/api/reload", new StringContent("{}", Encoding.UTF8, "application/json"))).Dispose();
            }
            Footprint before = Footprint.Of(controller.Id);
            for (int i = 1; i <= reloads; i++)
            {
                await File.WriteAllTextAsync(config, Config(i % 2 == 1, 3 + i % 2));
                long start = Stopwatch.GetTimestamp();
                using HttpResponseMessage answer = await http.PostAsync("/api/reload", new StringContent("{}", Encoding.UTF8, "application/json"));
                took.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (answer.IsSuccessStatusCode) applied++;
                else await log.WriteLineAsync($"reload {i}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                if (i % 10 == 0) await log.WriteLineAsync($"reload {i}/{reloads}: {applied} applied, {clients.Sum(c => c.Requests)} requests, {clients.Sum(c => c.Failed)} failed");
            }
            // The last reload's effects have settled on the clients' next requests.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Footprint after = Footprint.Of(controller.Id);
            await stop.CancelAsync();
            await Task.WhenAll(load);
            took.Sort();
            return new Result(reloads, applied, Stats.Median(took), Percentile(took, 0.99), took[^1], clients.Sum(c => c.Requests), clients.Sum(c => c.Failed), clients.Count,
                clients.Count(c => c.Reconnects > 0), clients.Sum(c => c.Reconnects), before, after);
        }
        finally
        {
            Children.Stop(controller);
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static string Service(string name, int a, int b, int listen, int fall) => $$"""
          {{name}}:
            kind: http
            members:
              - { name: {{name}}-a, address: 127.0.0.1:{{a}} }
              - { name: {{name}}-b, address: 127.0.0.1:{{b}} }
            primary: {{name}}-a
            check: { path: /health, interval: 1s, timeout: 500ms, fall: {{fall}}, rise: 1 }
            failover: { mode: automatic, cooldown: 30s }
            traffic:
              proxy: { listen: 127.0.0.1:{{listen}}, hold: 5s }

        """;

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>GETs in a loop on one keep-alive connection; a cut connection is counted and opened again.</summary>
    private sealed class Client(int port)
    {
        public long Requests, Failed;
        public int Reconnects;

        public async Task RunAsync(CancellationToken stop)
        {
            byte[] request = "GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"u8.ToArray();
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, stop);
                    while (!stop.IsCancellationRequested)
                    {
                        await socket.SendAsync(request, stop);
                        if (!await ReadResponseAsync(socket, buffer, stop)) throw new IOException("closed");
                        Interlocked.Increment(ref Requests);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    Interlocked.Increment(ref Failed);
                    Reconnects++;
                }
            }
        }

        /// <summary>Reads one response (headers, then Content-Length bytes); false when the connection closed.</summary>
        private static async Task<bool> ReadResponseAsync(Socket socket, byte[] buffer, CancellationToken stop)
        {
            int have = 0, end;
            while ((end = IndexOfHeadEnd(buffer, have)) < 0)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(have), stop);
                if (n == 0) return false;
                have += n;
            }
            string head = Encoding.ASCII.GetString(buffer, 0, end);
            int length = int.Parse(head.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim());
            int body = have - end - 4;
            while (body < length)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, length - body)), stop);
                if (n == 0) return false;
                body += n;
            }
            return true;
        }

        private static int IndexOfHeadEnd(byte[] buffer, int count) => buffer.AsSpan(0, count).IndexOf("\r\n\r\n"u8);
    }

    public static void Print(Result r, TextWriter w)
    {
        w.WriteLine($"### {r.Reloads} reloads under load (POST /api/reload; web unchanged, api's threshold changed and extra added or removed at each)");
        w.WriteLine();
        w.WriteLine("| reloads applied | reload time p50 / p99 / max (ms) | requests through web and api | failed requests | client connections | connections cut |");
        w.WriteLine("|---|---|---|---|---|---|");
        w.WriteLine($"| {r.Applied} of {r.Reloads} | {r.P50Ms:0} / {r.P99Ms:0} / {r.MaxMs:0} | {r.Requests} | {r.Failed} | {r.Connections} | {r.Dropped} ({r.Reconnects} reconnects) |");
        w.WriteLine();
        w.WriteLine($"The controller before the {r.Reloads} reloads (after 4 to warm up): {r.Before}; after them: {r.After}.");
    }
}
