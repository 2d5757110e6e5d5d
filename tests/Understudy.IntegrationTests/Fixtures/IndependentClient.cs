using System.Collections.Concurrent;
using System.Diagnostics;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>
/// A client loop written apart from the product's probes, to check their numbers: a GET every 10 ms on a
/// new connection, each attempt's start, end and success kept.
/// </summary>
public sealed class IndependentClient : IDisposable
{
    private readonly ConcurrentQueue<(DateTimeOffset Start, DateTimeOffset End, bool Ok)> _attempts = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public IndependentClient(Uri url) => _loop = Task.Run(() => LoopAsync(url));

    private async Task LoopAsync(Uri url)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(2) };
        var pending = new List<Task>();
        var tick = Stopwatch.StartNew();
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            pending.Add(Task.Run(async () =>
            {
                var start = DateTimeOffset.UtcNow;
                bool ok;
                try { ok = (await http.GetAsync(url)).IsSuccessStatusCode; }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { ok = false; }
                _attempts.Enqueue((start, DateTimeOffset.UtcNow, ok));
            }));
            TimeSpan next = TimeSpan.FromMilliseconds(10 * (i + 1)) - tick.Elapsed;
            if (next > TimeSpan.Zero) await Task.Delay(next);
        }
        await Task.WhenAll(pending);
    }

    public async Task<IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End, bool Ok)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return [.. _attempts.OrderBy(a => a.Start)];
    }

    /// <summary>RTO and recovery time by DESIGN.md's words, computed here without the product's code.</summary>
    public static (double RtoMs, double RecoveryMs) Measure(IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End, bool Ok)> attempts, DateTimeOffset fault, TimeSpan stableFor)
    {
        var firstFail = attempts.Where(a => !a.Ok && a.End >= fault).OrderBy(a => a.Start).FirstOrDefault();
        double recovery = (attempts.First(a => a.Ok && a.Start >= fault).End - fault).TotalMilliseconds;
        if (firstFail == default) return (0, recovery);
        for (int i = 0; i < attempts.Count; i++)
        {
            if (attempts[i].Start < firstFail.Start || !attempts[i].Ok) continue;
            var run = attempts.Skip(i).TakeWhile(a => a.Ok).ToList();
            if (run[^1].End - run[0].Start >= stableFor) return ((run[0].End - firstFail.Start).TotalMilliseconds, recovery);
        }
        throw new InvalidOperationException("the independent client never saw a sustained recovery");
    }

    public void Dispose() => _stop.Dispose();
}
