using System.Globalization;
using System.Text.RegularExpressions;
using Understudy.Hosting;
using static Understudy.Bench.Stats;

namespace Understudy.Bench;

/// <summary>
/// <c>pgbench -S -c 16 -j 2</c> (select-only, 16 clients) against one PostgreSQL reached directly, through Understudy's
/// proxy and through HAProxy in mode tcp, in interleaved rounds; ratios within a round, as for wrk.
/// </summary>
internal static partial class PgbenchArm
{
    internal sealed record Round(string Path, double Tps, double LatencyMs);

    public static async Task<List<Round>> RunAsync(int rounds, TimeSpan duration, TextWriter log)
    {
        using PgServer pg = await PgServer.StartAsync(scale: 10);
        using Rig rig = await Rig.InFrontOfAsync(pg.Port, FreePort.Next());
        (string, int)[] paths = [("direct", pg.Port), ("understudy", rig.UnderstudyPort), ("haproxy", rig.HaproxyPort)];
        foreach (var (_, port) in paths) await PgbenchAsync(port, TimeSpan.FromSeconds(3));
        var results = new List<Round>();
        for (int r = 1; r <= rounds; r++)
        {
            foreach (var (path, port) in paths)
            {
                var (tps, ms) = await PgbenchAsync(port, duration);
                results.Add(new Round(path, tps, ms));
                await log.WriteLineAsync($"pgbench round {r}/{rounds} {path}: {tps:0} tps, latency average {ms:0.000} ms");
            }
        }
        return results;
    }

    private static async Task<(double Tps, double LatencyMs)> PgbenchAsync(int port, TimeSpan duration)
    {
        string output = await PgServer.RunAsync("pgbench", ["-h", "127.0.0.1", "-p", $"{port}", "-U", "postgres", "-S", "-c", "16", "-j", "2",
            "-T", $"{(int)duration.TotalSeconds}", "postgres"]);
        Match tps = Tps().Match(output), latency = Latency().Match(output);
        if (!tps.Success || !latency.Success) throw new InvalidOperationException($"pgbench printed no tps or latency:\n{output}");
        return (double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    public static void Print(List<Round> rounds, TextWriter w)
    {
        var direct = rounds.Where(r => r.Path == "direct").ToList();
        var ha = rounds.Where(r => r.Path == "haproxy").ToList();
        w.WriteLine($"### pgbench -S -c 16 -j 2 (scale 10), {direct.Count} interleaved rounds");
        w.WriteLine();
        w.WriteLine("| path | median tps | median ratio to direct | median ratio to HAProxy | median latency average (ms) |");
        w.WriteLine("|---|---|---|---|---|");
        foreach (var g in rounds.GroupBy(r => r.Path))
        {
            var list = g.ToList();
            w.WriteLine($"| {g.Key} | {Median(list.Select(r => r.Tps)):0} | {Median(list.Select((r, i) => r.Tps / direct[i].Tps)):0.00} | "
                + $"{Median(list.Select((r, i) => r.Tps / ha[i].Tps)):0.00} | {Median(list.Select(r => r.LatencyMs)):0.000} |");
        }
    }

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex Tps();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex Latency();
}
