using System.Net.Sockets;
using System.Threading.Channels;
using Understudy.Core.Detection;
using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>
/// Checks one member every <c>interval</c> (start to start) with its own timeout, and on request runs
/// confirming checks back to back without waiting for the interval. Every result, pass or fail, goes to
/// <paramref name="report"/> — except one that spans a pause of this process longer than the interval
/// (<paramref name="stalls"/>), or timed out while this process was overloaded or the member kept answering clients,
/// which is discarded: it measured the controller, not the member; at most 2 × fall in a row. Only shutdown
/// cancellation ends the loop.
/// </summary>
/// <param name="progress">When the member last answered clients through the proxy: a timeout while it did is no sign of a hang.</param>
/// <param name="phase">Added once, after the first check, to the wait for the second: members whose controllers started together
/// are then checked at different moments of the interval rather than all at once (<see cref="PhaseOf"/>).</param>
/// <param name="logger">Where a check the controller could not make (out of descriptors) is said, as it is not reported.</param>
/// <param name="wakeStep">The grid that the waits between checks end on (<see cref="WakeStep"/>); zero: each exactly at its due time.</param>
public sealed partial class CheckScheduler(MemberSpec member, CheckSpec spec, IHealthCheck check, TimeProvider time, Action<CheckResult> report, StallWatch? stalls = null,
    Traffic.MemberProgress? progress = null, TimeSpan phase = default, ILogger? logger = null, TimeSpan wakeStep = default)
{
    /// <summary>
    /// A member's place within the interval, spread evenly over the members of one process: a thousand services with
    /// the same interval would otherwise be checked in the same instant every second. The hash is seeded per process,
    /// which is all spreading needs.
    /// </summary>
    public static TimeSpan PhaseOf(string service, string member, TimeSpan interval) =>
        interval * ((uint)HashCode.Combine(service, member) / (double)uint.MaxValue);

    /// <summary>Results thrown away because this process paused while they ran.</summary>
    public int Discarded => Volatile.Read(ref _discarded);

    private int _discarded;
    private int _discardedInARow; // only the scheduler's own loop touches it

    /// <summary>The thread-pool lag for which a timed-out check is discarded: half the timeout, at least what counts as a lag at all.</summary>
    private readonly TimeSpan _overloadDiscards = spec.Timeout / 2 > StallWatch.MinPause ? spec.Timeout / 2 : StallWatch.MinPause;

    private readonly Channel<int> _confirmations = Channel.CreateUnbounded<int>();

    public MemberSpec Member => member;

    /// <summary>Asks for up to <paramref name="checks"/> back-to-back checks, ending at the first success.</summary>
    public void Confirm(int checks)
    {
        _confirmations.Writer.TryWrite(checks);
        Wake();
    }

    /// <summary>
    /// What the wait between checks awaits: completed by its timer, a confirmation request or shutdown. One per wait, so a
    /// late timer of an earlier wait cannot end a later one; a task rather than a cancelled delay, as a cancellation
    /// throws (an exception per check, thousands a second with a thousand services).
    /// </summary>
    private TaskCompletionSource? _wake;

    private void Wake()
    {
        if (Interlocked.CompareExchange(ref _wake, null, null) is not { } wake) return;
        // A grid's wait runs its continuation where it is completed: the check must not start on this caller's thread (a
        // service loop's, shutdown's) but on the pool's.
        if (_grid is null) wake.TrySetResult();
        else ThreadPool.UnsafeQueueUserWorkItem(static w => w.TrySetResult(), wake, preferLocal: false);
    }

    /// <summary>
    /// The controller's grid (<see cref="CheckGrid"/>) ends the waits, rather than a timer each, when they are on the
    /// default step of the real clock and the check can start on the grid's thread.
    /// </summary>
    private readonly CheckGrid? _grid = wakeStep == WakeStep && time == TimeProvider.System && check.StartsWithoutBlocking ? CheckGrid.Shared : null;

    /// <summary>How long the warm-up before the first check may take: a member that does not answer it is checked as usual after.</summary>
    public static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken stopping)
    {
        using CancellationTokenRegistration woken = stopping.UnsafeRegister(static s => ((CheckScheduler)s!).Wake(), this);
        await WarmUpAsync(stopping);
        long due = time.GetTimestamp();
        TimeSpan firstWait = spec.Interval + phase;
        while (!stopping.IsCancellationRequested)
        {
            int confirm = await WaitUntilAsync(due, stopping);
            if (stopping.IsCancellationRequested) return;
            if (confirm > 0)
            {
                // Confirmations come between regular checks; the interval's schedule is kept.
                await ConfirmAsync(confirm, stopping);
                continue;
            }
            // From the last due time, not from now: a check started late (timers fire late under load, many at once) keeps
            // its place in the interval instead of joining the others that fired with it. Rounded up: a due time a fraction
            // of a tick early would come back as a wait a tick short. Behind by more than that (a pause), it runs at once.
            due = Math.Max(due + (long)Math.Ceiling(firstWait.TotalSeconds * time.TimestampFrequency), time.GetTimestamp());
            firstWait = spec.Interval;
            CheckResult? result = await CheckUnpausedAsync(stopping);
            if (result is not null && !stopping.IsCancellationRequested) report(result);
        }
    }

    /// <summary>
    /// The check's one-time costs in this process (see <see cref="IHealthCheck.WarmUpAsync"/>), paid before the first
    /// timed check so that they are not taken for the member's slowness; bounded by <see cref="WarmUpLimit"/>, its outcome unused.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken stopping)
    {
        using var limit = new CancellationTokenSource(WarmUpLimit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, limit.Token);
        try { await check.WarmUpAsync(member, linked.Token); }
        catch (Exception) { /* a failure, a timeout, or shutdown: the timed checks find it again, or the loop ends */ }
    }

    private async Task ConfirmAsync(int checks, CancellationToken stopping)
    {
        for (int i = 0; i < checks; i++)
        {
            CheckResult? result = await CheckUnpausedAsync(stopping);
            if (stopping.IsCancellationRequested) return;
            if (result is null) continue;
            report(result);
            if (result.Ok) return;
        }
    }

    /// <summary>
    /// The grid the controller's checks wake on: those due within one step start together. Each check alone woke a
    /// thread-pool worker, which then spun looking for more work, most of the controller's CPU at 2,000 checks a second;
    /// a few together keep the workers busy instead. A check starts at most this much after its due time; the schedule is kept.
    /// </summary>
    public static readonly TimeSpan WakeStep = TimeSpan.FromMilliseconds(10);

    private readonly long _wakeStep = (long)(wakeStep.TotalSeconds * time.TimestampFrequency);

    /// <summary>Waits until <paramref name="due"/> (the next point of the wake-up grid) or a confirmation request; returns the checks asked for (0 if none).</summary>
    private async Task<int> WaitUntilAsync(long due, CancellationToken stopping)
    {
        long now = time.GetTimestamp();
        if (due > now && _wakeStep > 0) due = (due + _wakeStep - 1) / _wakeStep * _wakeStep;
        TimeSpan wait = time.GetElapsedTime(now, due);
        if (wait > TimeSpan.Zero)
        {
            // Published before looking for requests and for shutdown: a Confirm or a cancellation after the look completes it.
            var wake = new TaskCompletionSource(_grid is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
            Interlocked.Exchange(ref _wake, wake);
            if (!_confirmations.Reader.TryPeek(out _) && !stopping.IsCancellationRequested)
            {
                _grid?.Add(due, wake);
                // Whole milliseconds, as Task.Delay waited (timers have no finer grain).
                TimeSpan whole = TimeSpan.FromMilliseconds(Math.Min((long)wait.TotalMilliseconds, uint.MaxValue - 1));
                using ITimer? timer = _grid is null ? time.CreateTimer(static s => ((TaskCompletionSource)s!).TrySetResult(), wake, whole, Timeout.InfiniteTimeSpan) : null;
                await wake.Task;
            }
        }
        int checks = 0;
        while (_confirmations.Reader.TryRead(out int n)) checks = Math.Max(checks, n);
        return checks;
    }

    /// <summary>
    /// One check, or null when this process paused for longer than the interval while it ran, or could not make the
    /// check at all (<see cref="Errors.IsLocalShortage(Exception)"/>).
    /// </summary>
    private async Task<CheckResult?> CheckUnpausedAsync(CancellationToken stopping)
    {
        long started = time.GetTimestamp();
        var (result, local) = await CheckOnceAsync(stopping);
        long ended = time.GetTimestamp();
        if (local)
        {
            // Out of descriptors or ports here: nothing was learned about the member, and a failure would fail over a
            // healthy primary. Not a discard either, so it does not use up the overload's allowance.
            if (++_shortages % 1000 == 1 && logger is not null) Log.ShortOfResources(logger, member.Name, result.Detail, _shortages);
            return null;
        }
        bool paused = stalls is not null && stalls.LongestPauseWithin(started, ended) > spec.Interval;
        bool timedOut = result.TimedOut;
        // A timeout while this process's thread pool lagged half the timeout or more: the answer may have come and waited
        // for a thread here, so the member had less than half its time. Shorter lags (a busy host) leave it time enough.
        bool overloaded = timedOut && stalls is not null && stalls.LongestOverloadWithin(started, ended) >= _overloadDiscards;
        // A timeout while the member went on answering clients (during the check, or within an interval before it):
        // busy under a reconnect storm, not hung — a hung member sends nothing.
        bool busy = timedOut && progress is not null && progress.AnsweredSince(member.Name, started - (long)(spec.Interval.TotalSeconds * time.TimestampFrequency));
        // Overload may delay finding a hung member, never hide it: after MaxDiscardsInARow the next result counts whatever the controller's state.
        if ((!paused && !overloaded && !busy) || _discardedInARow >= MaxDiscardsInARow)
        {
            _discardedInARow = 0;
            return result;
        }
        _discardedInARow++;
        Interlocked.Increment(ref _discarded);
        return null;
    }

    /// <summary>Results discarded one after another at most: twice the failures that mark a member down.</summary>
    private int MaxDiscardsInARow => 2 * spec.Fall;

    private long _shortages; // only the scheduler's own loop touches it

    /// <summary>One check; <c>Local</c> when it failed for want of this process's own resources.</summary>
    private async Task<(CheckResult Result, bool Local)> CheckOnceAsync(CancellationToken stopping)
    {
        long started = time.GetTimestamp();
        // One source for shutdown and the timeout: linked to shutdown, cancelled by a timer of this clock at the timeout.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using ITimer timeout = time.CreateTimer(static s => Cancel((CancellationTokenSource)s!), linked, spec.Timeout, Timeout.InfiniteTimeSpan);
        bool ok, timedOut = false, local = false;
        string detail;
        Core.Detection.ReplicationView? pg = null;
        try
        {
            (ok, detail, pg) = await check.CheckAsync(member, linked.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            (ok, detail, timedOut) = (false, $"timeout after {spec.Timeout.TotalMilliseconds:0} ms", true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (ok, detail, local) = (false, Describe(e), Errors.IsLocalShortage(e));
        }
        catch (OperationCanceledException)
        {
            (ok, detail) = (false, "controller stopping");
        }
        TimeSpan took = time.GetElapsedTime(started);
        // An answer later than the timeout is no pass (only a pause of this process lets one past the timer; those are discarded above).
        if (ok && took > spec.Timeout) (ok, detail) = (false, $"answered after {took.TotalMilliseconds:0} ms, beyond the {spec.Timeout.TotalMilliseconds:0} ms timeout");
        return (new CheckResult(member.Name, ok, time.GetUtcNow(), took, detail, Replication: ok ? pg : null) { TimedOut = timedOut }, local);
    }

    /// <summary>Cancels unless already disposed (the check ended as the timer fired).</summary>
    private static void Cancel(CancellationTokenSource cts)
    {
        try { cts.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    private static string Describe(Exception e) => e switch
    {
        SocketException se => Errors.Describe(se),
        HttpRequestException { InnerException: SocketException se } => Errors.Describe(se),
        HttpRequestException { InnerException: IOException } => "connection reset",
        HttpRequestException h => h.HttpRequestError.ToString(),
        _ when e.GetType().Namespace == "Npgsql" => DescribePostgres(e),
        _ => e.Message,
    };

    /// <summary>
    /// Apart from <see cref="Describe"/>, whose compiling would otherwise load Npgsql.dll for any check's first failure: out
    /// of descriptors, the load fails, the exception leaves the catch and ends this member's checks for good.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string DescribePostgres(Exception e) => e switch
    {
        Npgsql.NpgsqlException { InnerException: SocketException se } => Errors.Describe(se),
        Npgsql.PostgresException pe => $"PostgreSQL {pe.SqlState}: {pe.MessageText}",
        _ => e.Message,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "{Member}: check not made: {Error}; not counted against the member; {Count} so far, logged once per 1000")]
        public static partial void ShortOfResources(ILogger logger, string member, string error, long count);
    }
}
