using Understudy.Core.Drills;
using Understudy.Drills.Probes;
using static Understudy.Bench.Stats;

namespace Understudy.Bench;

/// <summary>
/// SIGKILL of the primary backend with Understudy and HAProxy both in front of the same two backends,
/// each with its own client (a GET every 10 ms on a new connection): one kill, two measurements.
/// </summary>
internal static class CrashBench
{
    /// <param name="FirstAnswerMs">kill → the earliest answer from the standby (as the anchor measurements report for HAProxy).</param>
    /// <param name="RecoveryMs">The recovery time: kill → end of the first successful attempt started after it.</param>
    internal sealed record Run(string System, double FirstAnswerMs, double RecoveryMs, int Failed, int Slow, double SlowestMs);

    public static async Task<List<Run>> RunAsync(int runs, TextWriter log)
    {
        var all = new List<Run>();
        for (int i = 1; i <= runs; i++)
        {
            var pair = await OnceAsync();
            all.AddRange(pair);
            await log.WriteLineAsync(string.Join("  ", pair.Select(r => $"{r.System}: first answer {r.FirstAnswerMs:0} ms, recovery {r.RecoveryMs:0} ms, {r.Failed} failed")) + $"   (run {i}/{runs})");
        }
        return all;
    }

    private static async Task<Run[]> OnceAsync()
    {
        using Rig rig = await Rig.StartAsync("http");
        await rig.WaitForMembersUpAsync(TimeSpan.FromSeconds(20));

        using var viaUs = new HttpProbe(new ProbeSpec("understudy", ProbeKind.Http, $"http://127.0.0.1:{rig.UnderstudyPort}/", TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5)), TimeProvider.System);
        using var viaHa = new HttpProbe(new ProbeSpec("haproxy", ProbeKind.Http, $"http://127.0.0.1:{rig.HaproxyPort}/", TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5)), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        Task probing = Task.WhenAll(viaUs.RunAsync(stop.Token), viaHa.RunAsync(stop.Token));
        await Task.Delay(TimeSpan.FromSeconds(1));

        DateTimeOffset killedAt = DateTimeOffset.UtcNow;
        rig.A.Kill();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (DateTimeOffset.UtcNow < deadline && !(Recovered(viaUs, killedAt) && Recovered(viaHa, killedAt))) await Task.Delay(50);
        await stop.CancelAsync();
        await probing;
        return [Measure("understudy", viaUs.Samples, killedAt), Measure("haproxy", viaHa.Samples, killedAt)];
    }

    /// <summary>One second of answers from the standby after the kill.</summary>
    private static bool Recovered(HttpProbe probe, DateTimeOffset killedAt) =>
        probe.Samples.FirstOrDefault(s => s.Ok && s.AnsweredBy == "web-b" && s.Start > killedAt) is { } first
        && probe.Samples.Any(s => s.Start > first.End.AddSeconds(1));

    private static Run Measure(string system, IReadOnlyList<ProbeSample> samples, DateTimeOffset killedAt)
    {
        var firstAnswer = samples.Where(s => s.Ok && s.AnsweredBy == "web-b" && s.Start > killedAt).MinBy(s => s.End);
        double? recovery = samples.FirstOrDefault(s => s.Ok && s.Start >= killedAt) is { } r ? (r.End - killedAt).TotalMilliseconds : null;
        var around = samples.Where(s => s.End >= killedAt).ToList();
        return new Run(system,
            firstAnswer is null ? double.NaN : (firstAnswer.End - killedAt).TotalMilliseconds,
            recovery ?? double.NaN,
            around.Count(s => !s.Ok), around.Count(s => s.Latency > TimeSpan.FromMilliseconds(500)),
            around.Count == 0 ? 0 : around.Max(s => s.Latency.TotalMilliseconds));
    }

    public static void Print(List<Run> runs, TextWriter w)
    {
        int n = runs.Count / 2;
        w.WriteLine($"### Primary SIGKILL, {n} runs (checks every 100 ms, fall 2; a GET every 10 ms on a new connection)");
        w.WriteLine();
        w.WriteLine("| system | kill → first answer from standby, median / max (ms) | recovery time, median / max (ms) | failed requests, median / max | requests > 500 ms, median | slowest, median (ms) |");
        w.WriteLine("|---|---|---|---|---|---|");
        foreach (var g in runs.GroupBy(r => r.System))
            w.WriteLine($"| {g.Key} | {Ms(Median(g.Select(r => r.FirstAnswerMs)))} / {Ms(g.Max(r => r.FirstAnswerMs))} | {Ms(Median(g.Select(r => r.RecoveryMs)))} / {Ms(g.Max(r => r.RecoveryMs))} | {Ms(Median(g.Select(r => (double)r.Failed)))} / {g.Max(r => r.Failed)} | {Ms(Median(g.Select(r => (double)r.Slow)))} | {Ms(Median(g.Select(r => r.SlowestMs)))} |");
        double Of(string system, Func<Run, double> f) => Median(runs.Where(r => r.System == system).Select(f));
        w.WriteLine();
        w.WriteLine("Configured bound for Understudy (interval × fall + timeout + 1 s): 1280 ms; by active checks alone (interval × fall + timeout): 280 ms.");
        w.WriteLine($"Ratios understudy / haproxy, medians: first answer {Of("understudy", r => r.FirstAnswerMs) / Of("haproxy", r => r.FirstAnswerMs):0.00}, recovery time {Of("understudy", r => r.RecoveryMs) / Of("haproxy", r => r.RecoveryMs):0.00}.");
    }
}
