using System.Collections.Concurrent;
using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Failover;

namespace Understudy.Hosting;

/// <summary>The running loops, and how a reload adds, retires and replaces them while the others run on.</summary>
public sealed partial class Controller
{
    private readonly ConcurrentDictionary<ServiceRuntime, RunningLoop> _loops = new();
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private CancellationTokenSource? _checks;
    private CancellationToken _abort;

    /// <summary>A loop as it runs: its task, and its own stop for checks (a reload retires one service alone).</summary>
    private sealed record RunningLoop(Task Run, CancellationTokenSource Checks);

    private void Launch(ServiceRuntime s, Input? start)
    {
        var checks = CancellationTokenSource.CreateLinkedTokenSource(_checks!.Token);
        _loops[s] = new RunningLoop(RunLoopAsync(s, start, checks.Token), checks);
    }

    private async Task RunLoopAsync(ServiceRuntime s, Input? start, CancellationToken checks)
    {
        try { await s.RunAsync(start, checks, _abort); }
        catch (Exception e) { _failed.TrySetException(e); }
    }

    /// <summary>
    /// Serialises reloads with each other and with the stop; false when the controller is stopping (or not yet
    /// running its loops). Release with <see cref="EndChange"/>.
    /// </summary>
    internal async Task<bool> BeginChangeAsync(CancellationToken ct)
    {
        await _reloading.WaitAsync(ct);
        if (_running && !_stopping.IsCancellationRequested) return true;
        _reloading.Release();
        return false;
    }

    internal void EndChange() => _reloading.Release();

    /// <summary>
    /// Stops one service's checks and loop, as the controller's stop does, but without journaling a stop: what is
    /// under way finishes (bounded by <paramref name="timeout"/>), and nothing new starts. Its proxy is left as it is.
    /// </summary>
    internal async Task RetireAsync(ServiceRuntime s, TimeSpan timeout)
    {
        if (!_loops.TryRemove(s, out RunningLoop? loop)) return;
        await loop.Checks.CancelAsync();
        s.Loop.BeginStopping();
        await s.Executor.Idle.WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        s.Loop.Complete();
        await loop.Run.WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        loop.Checks.Dispose();
    }

    /// <summary>Runs <paramref name="s"/> from its state (deciding <paramref name="start"/> first, if any), and lists it in place of the service of its name.</summary>
    internal void Run(ServiceRuntime s, Input? start)
    {
        Launch(s, start);
        ImmutableInterlocked.Update(ref _services, list => list.FirstOrDefault(r => r.Spec.Name == s.Spec.Name) is { } old ? list.Replace(old, s) : list.Add(s));
    }

    /// <summary>Takes a retired service off the list.</summary>
    internal void Forget(string service) =>
        ImmutableInterlocked.Update(ref _services, list => list.RemoveAll(r => r.Spec.Name == service));
}
