using System.Collections.Concurrent;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>What one attempt found out; the base class adds the timing. <see cref="Address"/>: see <see cref="ProbeSample.Address"/>.</summary>
public readonly record struct AttemptOutcome(bool Ok, ErrorKind Error, string? AnsweredBy, string? Detail, string? Address = null)
{
    public static AttemptOutcome Success(string? answeredBy, string? detail = null) => new(true, ErrorKind.None, answeredBy, detail);
    public static AttemptOutcome Failure(ErrorKind error, string detail) => new(false, error, null, detail);
}

/// <summary>
/// A client that starts an attempt every interval whether or not earlier ones ended (open loop, so one
/// hung attempt cannot hide the recovery edge); beyond <c>max_in_flight</c> an attempt counts as failed,
/// kind overload. Every attempt is recorded with its start, end, outcome and error kind.
/// </summary>
public abstract class OpenLoopProbe(ProbeSpec spec, TimeProvider time) : IDisposable
{
    private readonly ConcurrentQueue<ProbeSample> _samples = new();
    private readonly ConcurrentDictionary<long, DateTimeOffset> _running = new();
    private int _inFlight;

    public ProbeSpec Spec => spec;

    protected TimeProvider Time => time;

    /// <summary>Every finished attempt so far, in start order.</summary>
    public IReadOnlyList<ProbeSample> Samples => [.. _samples.OrderBy(s => s.Seq)];

    /// <summary>When the oldest attempt still running started; a run of successes is only known unbroken once it has ended.</summary>
    public DateTimeOffset? OldestRunning => _running.IsEmpty ? null : _running.Values.DefaultIfEmpty(DateTimeOffset.MaxValue).Min();

    /// <summary>Before the drill starts probing: what a kind needs first (a table), or a first call that loads its driver.</summary>
    public virtual Task PrepareAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Runs until <paramref name="stop"/>, then waits for the attempts in flight (each bounded by its timeout).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var attempts = new List<Task>();
        using var timer = new PeriodicTimer(spec.Interval, time);
        long seq = 0;
        try
        {
            do attempts.Add(AttemptAsync(seq++));
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) { }
        await Task.WhenAll(attempts);
    }

    /// <summary>One attempt; a timeout cancels <paramref name="ct"/>. Expected failures are outcomes, not exceptions.</summary>
    protected abstract Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct);

    private async Task AttemptAsync(long seq)
    {
        DateTimeOffset start = time.GetUtcNow();
        if (Interlocked.Increment(ref _inFlight) > spec.MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            _samples.Enqueue(new ProbeSample(seq, start, start, false, ErrorKind.Overload, Detail: $"more than {spec.MaxInFlight} attempts in flight"));
            return;
        }
        _running[seq] = start;
        using var timeout = new CancellationTokenSource(spec.Timeout, time);
        AttemptOutcome outcome;
        try
        {
            outcome = await AttemptAsync(seq, timeout.Token);
        }
        catch (Exception e)
        {
            outcome = timeout.IsCancellationRequested
                ? AttemptOutcome.Failure(ErrorKind.Timeout, $"no answer within {spec.Timeout.TotalMilliseconds:0} ms")
                : ClassifyFailure(e);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
        _samples.Enqueue(new ProbeSample(seq, start, time.GetUtcNow(), outcome.Ok, outcome.Error, outcome.AnsweredBy, outcome.Detail, outcome.Address));
        _running.TryRemove(seq, out _);
    }

    /// <summary>How this kind of client names an exception; a probe with its own driver refines it.</summary>
    protected virtual AttemptOutcome ClassifyFailure(Exception e) => Classify(e);

    /// <summary>Error kinds from DESIGN.md: refused, reset, timeout, http_status, overload, other.</summary>
    public static AttemptOutcome Classify(Exception e)
    {
        var socket = e as System.Net.Sockets.SocketException ?? e.InnerException as System.Net.Sockets.SocketException;
        return socket?.SocketErrorCode switch
        {
            System.Net.Sockets.SocketError.ConnectionRefused => AttemptOutcome.Failure(ErrorKind.Refused, "connection refused"),
            System.Net.Sockets.SocketError.ConnectionReset => AttemptOutcome.Failure(ErrorKind.Reset, "connection reset"),
            System.Net.Sockets.SocketError.TimedOut => AttemptOutcome.Failure(ErrorKind.Timeout, "timed out"),
            _ when e is HttpRequestException { InnerException: IOException } or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }
                or IOException => AttemptOutcome.Failure(ErrorKind.Reset, "connection closed before an answer"),
            _ => AttemptOutcome.Failure(ErrorKind.Other, e.Message),
        };
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
