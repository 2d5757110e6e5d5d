using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>
/// An open-loop HTTP client: an attempt starts every <c>interval</c> whether or not earlier ones ended
/// (beyond <c>maxInFlight</c> an attempt counts as failed, kind overload), each on a new connection, so
/// one hung attempt cannot hide the recovery edge. The body's first line is kept as who answered.
/// </summary>
public sealed class HttpProbe(Uri url, TimeSpan interval, TimeSpan timeout, TimeProvider time, int maxInFlight = 100) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false, MaxConnectionsPerServer = int.MaxValue })
    { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ConcurrentQueue<ProbeSample> _samples = new();
    private int _inFlight;

    public IReadOnlyList<ProbeSample> Samples => [.. _samples.OrderBy(s => s.Seq)];

    public async Task RunAsync(CancellationToken stop)
    {
        var attempts = new List<Task>();
        using var timer = new PeriodicTimer(interval, time);
        long seq = 0;
        try
        {
            do attempts.Add(AttemptAsync(seq++));
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) { }
        await Task.WhenAll(attempts);
    }

    private async Task AttemptAsync(long seq)
    {
        DateTimeOffset start = time.GetUtcNow();
        if (Interlocked.Increment(ref _inFlight) > maxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            _samples.Enqueue(new ProbeSample(seq, start, start, false, ErrorKind.Overload, Detail: $"more than {maxInFlight} attempts in flight"));
            return;
        }
        using var cts = new CancellationTokenSource(timeout, time);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11 };
            request.Headers.ConnectionClose = true;
            using HttpResponseMessage response = await _client.SendAsync(request, cts.Token);
            string body = await response.Content.ReadAsStringAsync(cts.Token);
            string who = body.Split('\n', 2)[0].Trim();
            bool ok = response.IsSuccessStatusCode;
            _samples.Enqueue(new ProbeSample(seq, start, time.GetUtcNow(), ok, ok ? ErrorKind.None : ErrorKind.HttpStatus, who, $"HTTP {(int)response.StatusCode}"));
        }
        catch (Exception e)
        {
            (ErrorKind kind, string detail) = Classify(e, cts.IsCancellationRequested);
            _samples.Enqueue(new ProbeSample(seq, start, time.GetUtcNow(), false, kind, Detail: detail));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    internal static (ErrorKind, string) Classify(Exception e, bool timedOut) => e switch
    {
        _ when timedOut => (ErrorKind.Timeout, "timeout"),
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => (ErrorKind.Refused, "connection refused"),
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } } => (ErrorKind.Reset, "connection reset"),
        HttpRequestException { InnerException: IOException } or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => (ErrorKind.Reset, "connection closed before a response"),
        _ => (ErrorKind.Other, e.Message),
    };

    public void Dispose() => _client.Dispose();
}
