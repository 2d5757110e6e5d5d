using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Understudy.Bench;

/// <summary>
/// N connections through one proxy, then a failover (issue 17): the controller's memory at rest, with N idle and N active
/// connections and after they are gone; how soon the fence closes every connection to the old primary; and /health's
/// latency all along. The primary is blackholed through the fault API, which resets nothing by itself: only the fence closes.
/// </summary>
internal static class ConnectionsBench
{
    internal sealed record Health(string Phase, int Samples, int Failed, double P50, double P99, double Max);

    internal sealed record Result(int Asked, int Files, int Opened, int OpenFailed, string OpenErrors, double OpenSeconds,
        double BaselineMiB, double IdleMiB, int BaselineFds, int IdleFds, double ActiveMiB, int Requests, int RequestErrors, double ActiveSeconds,
        double RequestP50, double RequestP99, double DetectMs, double FenceMs, string FenceDetail, double[] CloseMs, int NeverClosed,
        double AfterMiB5, double AfterMiB30, int AfterFds, string AnsweredAfter, string Compaction, IReadOnlyList<Health> HealthByPhase);

    private static readonly TimeSpan Active = TimeSpan.FromSeconds(10), Watch = TimeSpan.FromSeconds(30);

    public static async Task<Result> RunAsync(int connections, int files, TextWriter log, CancellationToken ct)
    {
        using ConnectionsRig rig = await ConnectionsRig.StartAsync(files);
        try { return await PhasesAsync(rig, connections, log, ct); }
        catch when (rig.Controller.HasExited)
        {
            log.WriteLine($"the controller exited with {rig.Controller.ExitCode}; the last lines of the children's output:\n{rig.OutputTail()}");
            throw;
        }
    }

    private static async Task<Result> PhasesAsync(ConnectionsRig rig, int connections, TextWriter log, CancellationToken ct)
    {
        int pid = rig.Controller.Id;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WarmUpAsync(rig.ProxyPort, ct);
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        double baseline = Proc.RssMiB(pid);
        int baselineFds = Proc.Fds(pid);
        log.WriteLine($"baseline: {baseline:0.0} MiB, {baselineFds} fds (controller PID {pid}, for dotnet-counters or dotnet-trace)");

        await using var monitor = new ControllerMonitor(rig.ApiPort, pid, "ramp");
        rig.StartClient(log);
        await rig.SendAsync($"open {connections}");
        JsonElement open = await rig.ReplyAsync(TimeSpan.FromMinutes(4), ct);
        int opened = open.GetProperty("opened").GetInt32();
        log.WriteLine($"opened {opened} of {connections} in {open.GetProperty("seconds").GetDouble():0.0} s; {open.GetProperty("errors")}");

        monitor.Phase = "idle";
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        double idle = Proc.RssMiB(pid);
        int idleFds = Proc.Fds(pid);
        log.WriteLine($"idle: {idle:0.0} MiB, {idleFds} fds");

        monitor.Phase = "active";
        await rig.SendAsync($"active {Active.TotalSeconds:0}");
        JsonElement active = await rig.ReplyAsync(Active + TimeSpan.FromSeconds(30), ct);
        log.WriteLine($"active: {active}");

        monitor.Phase = "failover";
        await rig.SendAsync($"watch {Watch.TotalSeconds:0}");
        await rig.ReplyAsync(TimeSpan.FromSeconds(30), ct); // every read posted
        DateTimeOffset injected = DateTimeOffset.UtcNow;
        (await http.PostAsJsonAsync($"http://127.0.0.1:{rig.ApiPort}/api/services/web/members/web-a/faults", new { kind = "blackhole", duration = "10m" }, ct))
            .EnsureSuccessStatusCode();
        JsonElement watched = await rig.ReplyAsync(Watch + TimeSpan.FromSeconds(30), ct);
        JsonElement fenced = await EventAsync(http, rig.ApiPort, "member.fenced", ct);
        DateTimeOffset fenceTime = fenced.GetProperty("time").GetDateTimeOffset();
        DateTimeOffset started = (await EventAsync(http, rig.ApiPort, "failover.started", ct)).GetProperty("time").GetDateTimeOffset();
        double fenceUnixMs = (fenceTime - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        double[] closeMs = [.. watched.GetProperty("closedAt").EnumerateArray().Select(t => t.GetDouble() - fenceUnixMs)];
        log.WriteLine($"fenced {(fenceTime - injected).TotalMilliseconds:0} ms after the fault; {closeMs.Length} closed, last {closeMs.DefaultIfEmpty(double.NaN).Max():0} ms after the fence");

        monitor.Phase = "after";
        DateTimeOffset allClosed = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        double after5 = Proc.RssMiB(pid);
        await Task.Delay(TimeSpan.FromSeconds(25), ct);
        double after30 = Proc.RssMiB(pid);
        int afterFds = Proc.Fds(pid);
        log.WriteLine($"after: {after5:0.0} MiB at 5 s, {after30:0.0} MiB and {afterFds} fds at {(DateTimeOffset.UtcNow - allClosed).TotalSeconds:0} s");
        // The fence must not have cost the listener: a new connection is served, by the new primary.
        string answer = (await http.GetStringAsync($"http://127.0.0.1:{rig.ProxyPort}/", ct)).Trim();

        return new Result(connections, rig.Files, opened, open.GetProperty("failed").GetInt32(), open.GetProperty("errors").ToString(), open.GetProperty("seconds").GetDouble(),
            baseline, idle, baselineFds, idleFds, monitor.MaxRssMiB("active"), active.GetProperty("requests").GetInt32(), active.GetProperty("errors").GetInt32(),
            active.GetProperty("seconds").GetDouble(), active.GetProperty("p50").GetDouble(), active.GetProperty("p99").GetDouble(),
            (started - injected).TotalMilliseconds, (fenceTime - started).TotalMilliseconds, Detail(fenced),
            closeMs, watched.GetProperty("stillOpen").GetInt32(), after5, after30, afterFds, answer, rig.OutputLine("heap compacted") ?? "none logged", await monitor.StopAsync());
    }

    private static string Detail(JsonElement e) =>
        e.GetProperty("details") is var d && d.TryGetProperty("detail", out JsonElement detail) ? detail.ToString() : d.ToString();

    /// <summary>Tiered JIT in the proxy needs traffic before the baseline: 4,000 GETs, 16 connections at a time, each opened anew.</summary>
    private static async Task WarmUpAsync(int proxyPort, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
        await Parallel.ForEachAsync(Enumerable.Range(0, 4000), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (_, c) => (await http.GetAsync($"http://127.0.0.1:{proxyPort}/", c)).EnsureSuccessStatusCode());
    }

    /// <summary>The newest event of <paramref name="type"/> of service web, polled for up to 30 s.</summary>
    private static async Task<JsonElement> EventAsync(HttpClient http, int api, string type, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{api}/api/events?service=web&type={type}&order=desc&limit=1", ct);
            if (page.GetProperty("events").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } e) return e;
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"no {type} within 30 s");
    }

    public static void Print(Result r, TextWriter o)
    {
        // The fence step starts as failover.started is journaled (one decision) and member.fenced is stamped once it returned.
        double[] fromStart = [.. r.CloseMs.Select(ms => ms + r.FenceMs).Order()];
        double P(double q) => fromStart.Length == 0 ? double.NaN : fromStart[Math.Min(fromStart.Length - 1, (int)(fromStart.Length * q))];
        int NotClosedWithin(double ms) => fromStart.Count(c => c > ms) + r.NeverClosed;
        double perConn = r.Opened == 0 ? double.NaN : (r.IdleMiB - r.BaselineMiB) * 1024 / r.Opened;
        o.WriteLine($"### {r.Asked:N0} connections through one proxy, then a failover");
        o.WriteLine();
        o.WriteLine("| figure | value |");
        o.WriteLine("|---|---|");
        o.WriteLine($"| connections opened (each answered one keep-alive GET) | {r.Opened:N0} of {r.Asked:N0} in {r.OpenSeconds:0.0} s; {r.OpenFailed:N0} failed {(r.OpenFailed > 0 ? r.OpenErrors : "")} |");
        o.WriteLine($"| controller RSS: baseline → {r.Opened:N0} idle → active (max) | {r.BaselineMiB:0} → {r.IdleMiB:0} → {r.ActiveMiB:0} MiB |");
        o.WriteLine($"| memory per idle connection | {perConn:0.0} KiB |");
        o.WriteLine($"| controller open files: baseline → idle → 30 s after all closed | {r.BaselineFds:N0} → {r.IdleFds:N0} → {r.AfterFds:N0} (limit {r.Files:N0}) |");
        o.WriteLine($"| active: a GET per connection per second, {r.ActiveSeconds:0.0} s | {r.Requests / r.ActiveSeconds:N0} requests/s, {r.RequestErrors:N0} errors, latency p50 {r.RequestP50:0.0} / p99 {r.RequestP99:0.0} ms |");
        o.WriteLine($"| blackhole → failover.started (fence step starts) → member.fenced (it returned) | {r.DetectMs:0} ms, then {r.FenceMs:0} ms |");
        o.WriteLine($"| member.fenced's detail | {r.FenceDetail} |");
        o.WriteLine($"| fence start → closed seen by the client: first, p50 / p99 / max | {fromStart.Length:N0} closed; {P(0):0}, {P(0.5):0} / {P(0.99):0} / {fromStart.DefaultIfEmpty(double.NaN).Max():0} ms |");
        o.WriteLine($"| last close seen, from member.fenced's time | {fromStart.DefaultIfEmpty(double.NaN).Max() - r.FenceMs:0} ms |");
        o.WriteLine($"| not closed within 100 ms / 1 s of the fence's start | {NotClosedWithin(100):N0} / {NotClosedWithin(1000):N0} |");
        o.WriteLine($"| controller RSS 5 s / 30 s after all closed (baseline {r.BaselineMiB:0}) | {r.AfterMiB5:0} / {r.AfterMiB30:0} MiB |");
        o.WriteLine($"| a new connection through the proxy afterwards | answered by {r.AnsweredAfter} |");
        o.WriteLine($"| the controller's collection after the mass close | {r.Compaction} |");
        o.WriteLine();
        o.WriteLine("`GET /health` every 50 ms meanwhile:");
        o.WriteLine();
        o.WriteLine("| phase | samples | failed | p50 (ms) | p99 (ms) | max (ms) |");
        o.WriteLine("|---|---|---|---|---|---|");
        foreach (Health h in r.HealthByPhase) o.WriteLine($"| {h.Phase} | {h.Samples} | {h.Failed} | {h.P50:0.0} | {h.P99:0.0} | {h.Max:0.0} |");
    }
}
