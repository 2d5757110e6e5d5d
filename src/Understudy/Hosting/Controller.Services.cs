using System.Collections.Concurrent;
using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Failover;

namespace Understudy.Hosting;

/// <summary>The running loops, and how a reload adds, retires and replaces them while the others run on.</summary>
public sealed partial class Controller
{
    private readonly ConcurrentDictionary<ServiceRuntime, Task> _loops = new();
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private CancellationTokenSource? _checks;
    private CancellationToken _abort;

    private void Launch(ServiceRuntime s, Input? start) => _loops[s] = RunLoopAsync(s, start);

    private async Task RunLoopAsync(ServiceRuntime s, Input? start)
    {
        try { await s.RunAsync(start, _checks!.Token, _abort); }
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
    /// Ends a service a reload removed, whose loop is held (nothing under way, nothing starts): its checks end, its
    /// loop decides what is queued and ends, and it leaves the list. Its proxy is the caller's to close.
    /// </summary>
    internal async Task RemoveAsync(ServiceRuntime s)
    {
        await s.EndChecksAsync();
        s.Loop.Complete();
        if (_loops.TryRemove(s, out Task? run)) await run;
        ImmutableInterlocked.Update(ref _services, list => list.Remove(s));
    }

    /// <summary>Runs a service a reload added, from its state as the journal has it (deciding <paramref name="start"/> first, if any).</summary>
    internal void Add(ServiceRuntime s, Input? start)
    {
        Launch(s, start);
        ImmutableInterlocked.Update(ref _services, list => list.Add(s));
    }
}
