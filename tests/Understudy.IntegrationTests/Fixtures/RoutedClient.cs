using System.Collections.Concurrent;
using System.Diagnostics;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>One attempt of a <see cref="RoutedClient"/>: when, whether it worked, and which sample app answered.</summary>
public sealed record RoutedAttempt(DateTimeOffset Start, DateTimeOffset End, bool Ok, string AnsweredBy, string Error);

/// <summary>A GET every 20 ms through one proxy on a new connection each time, open-loop, noting who answered.</summary>
public sealed class RoutedClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<RoutedAttempt> _attempts = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RoutedClient(int proxyPort) => _loop = Task.Run(() => LoopAsync(new Uri($"http://127.0.0.1:{proxyPort}/")));

    public IReadOnlyList<RoutedAttempt> Attempts => [.. _attempts.OrderBy(a => a.Start)];

    private async Task LoopAsync(Uri url)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
        var pending = new List<Task>();
        var tick = Stopwatch.StartNew();
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            pending.Add(Task.Run(async () =>
            {
                var start = DateTimeOffset.UtcNow;
                try
                {
                    using var answer = await http.GetAsync(url);
                    string body = (await answer.Content.ReadAsStringAsync()).Trim();
                    _attempts.Enqueue(new(start, DateTimeOffset.UtcNow, answer.IsSuccessStatusCode, body, answer.IsSuccessStatusCode ? "" : $"HTTP {(int)answer.StatusCode}"));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException or IOException)
                {
                    // A connection the proxy refuses is a failed attempt, whatever layer reports it.
                    _attempts.Enqueue(new(start, DateTimeOffset.UtcNow, false, "", e.Message));
                }
            }));
            TimeSpan next = TimeSpan.FromMilliseconds(20 * (i + 1)) - tick.Elapsed;
            if (next > TimeSpan.Zero) await Task.Delay(next);
        }
        await Task.WhenAll(pending);
    }

    public async Task<IReadOnlyList<RoutedAttempt>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Attempts;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
