using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Understudy.Api;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Drills.Probes;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Dns;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>
/// bench/dns-switch/run.sh: the primary SIGKILLed under a client that resolves the name through a caching BIND resolver on
/// every attempt, at each TTL in DNS_BENCH_TTLS (default "5 60"), DNS_BENCH_RUNS times (default 3). Measures the switch
/// (traffic.switching → traffic.switched, and the UPDATE plus its check as the switch reports it) and the tail: how long
/// the client kept reaching the dead primary's address after traffic.switched. Writes a Markdown table to DNS_BENCH_OUT.
/// </summary>
[Collection(RealProcesses.Name)]
[Trait("Category", "Bench")]
public partial class DnsSwitchBench
{
    private sealed record Run(int Ttl, int N, double KillToSwitched, double Switching, double UpdateMs, double Tail, double ClientOutage, int OldAfterSwitch);

    [Fact]
    public async Task Bench_PrimaryKilled_SwitchTimeAndResolverTail()
    {
        int[] ttls = [.. (Environment.GetEnvironmentVariable("DNS_BENCH_TTLS") ?? "5 60").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
        int runs = int.Parse(Environment.GetEnvironmentVariable("DNS_BENCH_RUNS") ?? "3", CultureInfo.InvariantCulture);
        string outDir = Environment.GetEnvironmentVariable("DNS_BENCH_OUT") ?? Path.Combine(Path.GetTempPath(), "understudy-dns-bench");
        Directory.CreateDirectory(outDir);
        var results = new List<Run>();
        foreach (int ttl in ttls)
            for (int n = 1; n <= runs; n++)
                results.Add(await OneAsync(ttl, n));
        await File.WriteAllTextAsync(Path.Combine(outDir, "results.md"), Table(results));
    }

    private static async Task<Run> OneAsync(int ttl, int n)
    {
        await using var bind = await BindServer.StartAsync(ttl: ttl, records: [("web", "127.0.0.1")]);
        await using var resolver = await BindServer.StartResolverAsync(bind);
        await using var pair = await DnsWebPair.StartAsync(bind, $"file:{bind.KeyFile}");
        var spec = new ProbeSpec("client", ProbeKind.Tcp, $"{DnsWebPair.Name}:{pair.Port}", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1),
            Resolver: new HostPort("127.0.0.1", resolver.Port));
        using OpenLoopProbe probe = ProbeFactory.Create(spec, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        Task running = probe.RunAsync(stop.Token);
        // The resolver has the record cached at a point of its TTL that differs from run to run: the tail is anywhere up to the TTL.
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s is { Ok: true, AnsweredBy: "127.0.0.1" }) >= 10, "the client to reach web-a");

        DateTimeOffset killed = DateTimeOffset.UtcNow;
        pair.A.Kill();
        EventView switched = await Eventually.GetAsync(async () => (await pair.Controller.EventsAsync("web", EventTypes.TrafficSwitched)).FirstOrDefault(), "traffic.switched");
        ProbeSample reached = await Eventually.GetAsync(() => Task.FromResult(probe.Samples.FirstOrDefault(s => s is { Ok: true, AnsweredBy: "127.0.0.2" })),
            "the client to reach web-b", TimeSpan.FromSeconds(ttl + 30));
        await stop.CancelAsync();
        await running;

        EventView switching = (await pair.Controller.EventsAsync("web", EventTypes.TrafficSwitching)).First();
        string reason = switched.Details["reason"]?.ToString() ?? "";
        double update = UpdateMs().Match(reason) is { Success: true } m ? double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture) : double.NaN;
        int oldAfter = probe.Samples.Count(s => s.Start >= switched.Time && s.Seq < reached.Seq && s.Detail?.StartsWith("127.0.0.1:", StringComparison.Ordinal) == true);
        return new Run(ttl, n, Ms(switched.Time - killed), Ms(switched.Time - switching.Time), update, Ms(reached.Start - switched.Time), Ms(reached.Start - killed), oldAfter);
    }

    [GeneratedRegex(@"checked by a query, in (?<ms>\d+) ms")]
    private static partial Regex UpdateMs();

    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds);

    private static string Table(List<Run> results)
    {
        var md = new StringBuilder();
        md.AppendLine("| TTL | run | kill → traffic.switched | switching → switched | UPDATE + check | tail after switched | client outage (kill → new address) | attempts at the old address after switched |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (Run r in results)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Ttl} s | {r.N} | {r.KillToSwitched:0} ms | {r.Switching:0} ms | {r.UpdateMs:0} ms | {r.Tail:0} ms | {r.ClientOutage:0} ms | {r.OldAfterSwitch} |");
        md.AppendLine();
        foreach (var byTtl in results.GroupBy(r => r.Ttl))
            md.AppendLine(CultureInfo.InvariantCulture,
                $"TTL {byTtl.Key} s: switch (switching → switched) median {Median(byTtl.Select(r => r.Switching)):0} ms; tail median {Median(byTtl.Select(r => r.Tail)):0} ms, max {byTtl.Max(r => r.Tail):0} ms; client outage median {Median(byTtl.Select(r => r.ClientOutage)):0} ms, max {byTtl.Max(r => r.ClientOutage):0} ms.  ");
        return md.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
