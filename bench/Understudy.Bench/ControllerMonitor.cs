using System.Diagnostics;

namespace Understudy.Bench;

/// <summary>
/// <c>GET /health</c> on the controller every 50 ms (at most 20 minutes) and its RSS at each, filed under the
/// <see cref="Phase"/> set at the time: whether the API stays responsive, and the memory's peak, phase by phase.
/// </summary>
internal sealed class ControllerMonitor : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(50), AtMost = TimeSpan.FromMinutes(20);
    private readonly List<(string Phase, double Ms, bool Ok)> _samples = [];
    private readonly Dictionary<string, double> _maxRss = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ControllerMonitor(int apiPort, int pid, string phase)
    {
        Phase = phase;
        _loop = LoopAsync(apiPort, pid);
    }

    public volatile string Phase;

    private async Task LoopAsync(int apiPort, int pid)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (!_stop.IsCancellationRequested && clock.Elapsed < AtMost)
        {
            string phase = Phase;
            long t = Stopwatch.GetTimestamp();
            bool ok;
            try { ok = (await http.GetAsync($"http://127.0.0.1:{apiPort}/health")).IsSuccessStatusCode; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { ok = false; }
            double ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            double rss = Proc.RssMiB(pid);
            lock (_samples)
            {
                _samples.Add((phase, ms, ok));
                _maxRss[phase] = Math.Max(rss, _maxRss.GetValueOrDefault(phase));
            }
            TimeSpan left = Every - Stopwatch.GetElapsedTime(t);
            if (left > TimeSpan.Zero) await Task.Delay(left);
        }
    }

    public double MaxRssMiB(string phase)
    {
        lock (_samples) return _maxRss.GetValueOrDefault(phase, double.NaN);
    }

    public async Task<IReadOnlyList<ConnectionsBench.Health>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_samples)
            return [.. _samples.GroupBy(s => s.Phase).Select(g =>
            {
                double[] ms = [.. g.Select(s => s.Ms).Order()];
                return new ConnectionsBench.Health(g.Key, ms.Length, g.Count(s => !s.Ok), ms[ms.Length / 2], ms[ms.Length * 99 / 100], ms[^1]);
            })];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_loop.IsCompleted) await StopAsync();
        _stop.Dispose();
    }
}

/// <summary>A process's resident memory and open files, from /proc.</summary>
internal static class Proc
{
    public static double RssMiB(int pid)
    {
        string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }

    public static int Fds(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
