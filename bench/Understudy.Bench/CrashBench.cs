using System.Globalization;
using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Core.Drills;
using Understudy.Demo;
using Understudy.Drills.Probes;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// SIGKILL of the primary backend with Understudy and HAProxy both in front of the same two backends,
/// each with its own client (a GET every 10 ms on a new connection): one kill, two measurements.
/// </summary>
internal static class CrashBench
{
    internal sealed record Run(string System, double OutageMs, int Failed, int Slow, double SlowestMs);

    public static async Task<List<Run>> RunAsync(int runs, TextWriter log)
    {
        var all = new List<Run>();
        for (int i = 1; i <= runs; i++)
        {
            var pair = await OnceAsync();
            all.AddRange(pair);
            await log.WriteLineAsync(string.Join("  ", pair.Select(r => $"{r.System}: {r.OutageMs:0} ms, {r.Failed} failed")) + $"   (run {i}/{runs})");
        }
        return all;
    }

    private static async Task<Run[]> OnceAsync()
    {
        using var dir = new TempFolder();
        int a = FreePort.Next(), b = FreePort.Next(), usPort = FreePort.Next(), api = FreePort.Next(), haPort = FreePort.Next();
        File.WriteAllText(dir.File("understudy.yaml"), Configs.Understudy(a, b, usPort, api));
        File.WriteAllText(dir.File("haproxy.cfg"), Configs.Haproxy(a, b, haPort, "http"));
        var limit = TimeSpan.FromSeconds(20);
        using var appA = await SampleAppProcess.StartAsync("web-a", a, limit);
        using var appB = await SampleAppProcess.StartAsync("web-b", b, limit);
        var controller = Children.Controller(dir.File("understudy.yaml"));
        var haproxy = Children.Haproxy(dir.File("haproxy.cfg"));
        try
        {
            await Children.WaitForPortAsync(haPort, limit);
            await WaitForMembersUpAsync(api, limit);

            using var viaUs = new HttpProbe(new Uri($"http://127.0.0.1:{usPort}/"), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5), TimeProvider.System);
            using var viaHa = new HttpProbe(new Uri($"http://127.0.0.1:{haPort}/"), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5), TimeProvider.System);
            using var stop = new CancellationTokenSource();
            Task probing = Task.WhenAll(viaUs.RunAsync(stop.Token), viaHa.RunAsync(stop.Token));
            await Task.Delay(TimeSpan.FromSeconds(1));

            DateTimeOffset killedAt = DateTimeOffset.UtcNow;
            appA.Kill();
            var deadline = DateTimeOffset.UtcNow + limit;
            while (DateTimeOffset.UtcNow < deadline && !(Recovered(viaUs, killedAt) && Recovered(viaHa, killedAt))) await Task.Delay(50);
            await stop.CancelAsync();
            await probing;
            return [Measure("understudy", viaUs.Samples, killedAt), Measure("haproxy", viaHa.Samples, killedAt)];
        }
        finally
        {
            Children.Stop(controller);
            Children.Stop(haproxy);
        }
    }

    /// <summary>One second of answers from the standby after the kill.</summary>
    private static bool Recovered(HttpProbe probe, DateTimeOffset killedAt) =>
        probe.Samples.FirstOrDefault(s => s.Ok && s.AnsweredBy == "web-b" && s.Start > killedAt) is { } first
        && probe.Samples.Any(s => s.Start > first.End.AddSeconds(1));

    private static Run Measure(string system, IReadOnlyList<ProbeSample> samples, DateTimeOffset killedAt)
    {
        var firstFromB = samples.FirstOrDefault(s => s.Ok && s.AnsweredBy == "web-b" && s.Start > killedAt);
        double outage = firstFromB is null ? double.NaN : (firstFromB.End - killedAt).TotalMilliseconds;
        var around = samples.Where(s => s.End >= killedAt).ToList();
        return new Run(system, outage, around.Count(s => !s.Ok), around.Count(s => s.Latency > TimeSpan.FromMilliseconds(500)),
            around.Count == 0 ? 0 : around.Max(s => s.Latency.TotalMilliseconds));
    }

    private static async Task WaitForMembersUpAsync(int api, TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                var status = await http.GetFromJsonAsync<StatusView>($"http://127.0.0.1:{api}/api/status", ApiJson.Options);
                if (status!.Services[0].Members.All(m => m.Health == "up")) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException("the controller did not see both members up");
    }

    public static void Print(List<Run> runs, TextWriter w)
    {
        static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
        string F(double x) => double.IsNaN(x) ? "never" : x.ToString("0", CultureInfo.InvariantCulture);
        int n = runs.Count / 2;
        w.WriteLine($"### Primary SIGKILL, {n} runs (checks every 100 ms, fall 2; a GET every 10 ms on a new connection)");
        w.WriteLine();
        w.WriteLine("| system | median kill → first answer from standby (ms) | max (ms) | failed requests (median / max) | requests > 500 ms (median) | slowest (median ms) |");
        w.WriteLine("|---|---|---|---|---|---|");
        foreach (var g in runs.GroupBy(r => r.System))
            w.WriteLine($"| {g.Key} | {F(Median(g.Select(r => r.OutageMs)))} | {F(g.Max(r => r.OutageMs))} | {F(Median(g.Select(r => (double)r.Failed)))} / {g.Max(r => r.Failed)} | {F(Median(g.Select(r => (double)r.Slow)))} | {F(Median(g.Select(r => r.SlowestMs)))} |");
        double us = Median(runs.Where(r => r.System == "understudy").Select(r => r.OutageMs));
        double ha = Median(runs.Where(r => r.System == "haproxy").Select(r => r.OutageMs));
        w.WriteLine();
        w.WriteLine($"Configured bound for Understudy (interval × fall + timeout + 1 s): 1280 ms; by active checks alone: 280 ms. Median outage ratio understudy / haproxy: {us / ha:0.00}.");
    }
}

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("understudy-bench-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
