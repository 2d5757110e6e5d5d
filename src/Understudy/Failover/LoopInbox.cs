using System.Collections.Concurrent;
using Understudy.Checks;

namespace Understudy.Failover;

/// <summary>
/// A service loop's queue, read by one reader in turn, which runs only while there is something to read. A channel's
/// reader woke a thread-pool worker for every message, two thousand a second with a thousand services, and each woken
/// worker then spun looking for more: most of the controller's CPU at rest (BENCHMARKS.md, "One controller, 1,000
/// services"). Here a message posted <c>together</c> (a check's result) starts no reader of its own: readers due are
/// started at the next tick of the check grid (<see cref="CheckGrid"/>), all in one work item. Written by hand: no
/// package schedules many readers' turns as one work item.
/// </summary>
internal sealed class LoopInbox<T>(Func<T, Task> handle) : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<T> _queue = new();
    private readonly Lock _gate = new(); // orders writes against completion, as a channel does
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _completed; // under _gate
    private CancellationToken _abort;

    /// <summary>1 while the reader runs or is due to run (and before <see cref="RunAsync"/>: nothing is read until the loop starts).</summary>
    private int _reading = 1;

    /// <summary>Queues <paramref name="item"/>; false once completed. <paramref name="together"/>: read at the grid's next tick, with others.</summary>
    public bool TryWrite(T item, bool together = false)
    {
        lock (_gate)
        {
            if (_completed) return false;
            _queue.Enqueue(item);
        }
        Schedule(together);
        return true;
    }

    /// <summary>No more writes: <see cref="RunAsync"/> ends once what was written has been read.</summary>
    public void Complete()
    {
        lock (_gate) _completed = true;
        Schedule(together: false);
    }

    /// <summary>
    /// Reads until completed and empty, or until <paramref name="abort"/> (after the message being read, unless its
    /// handler ends at the abort); a handler's exception other than the abort's ends it, thrown here.
    /// </summary>
    public async Task RunAsync(CancellationToken abort)
    {
        _abort = abort;
        Interlocked.Exchange(ref _reading, 0);
        // An abort starts a read that ends the run (at once if it came before).
        using CancellationTokenRegistration aborted = abort.UnsafeRegister(static s => ((LoopInbox<T>)s!).Schedule(together: false), this);
        if (!_queue.IsEmpty || IsCompleted) Schedule(together: false); // written before the run
        await _ended.Task;
    }

    private void Schedule(bool together)
    {
        if (Interlocked.CompareExchange(ref _reading, 1, 0) != 0) return; // the reader runs (or is due): it reads this too
        if (together) CheckGrid.Shared.Later(this);
        else ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute() => _ = ReadAsync();

    private async Task ReadAsync()
    {
        while (true)
        {
            while (!_ended.Task.IsCompleted && _queue.TryDequeue(out T? item))
            {
                if (_abort.IsCancellationRequested)
                {
                    _ended.TrySetResult();
                    break;
                }
                try { await handle(item); }
                catch (OperationCanceledException) when (_abort.IsCancellationRequested) { _ended.TrySetResult(); }
                catch (Exception e)
                {
                    lock (_gate) _completed = true; // later writes are refused, not left unread
                    _ended.TrySetException(e);
                }
            }
            if (_ended.Task.IsCompleted) return; // _reading stays 1: nothing reads again
            lock (_gate)
            {
                if (_completed && _queue.IsEmpty || _abort.IsCancellationRequested)
                {
                    _ended.TrySetResult();
                    return;
                }
            }
            // A full fence, so that the look at the queue below comes after it: a write between the last read and this line
            // saw the reader running and left its item to it.
            Interlocked.Exchange(ref _reading, 0);
            if (_queue.IsEmpty && !IsCompleted && !_abort.IsCancellationRequested || Interlocked.CompareExchange(ref _reading, 1, 0) != 0) return;
        }
    }

    private bool IsCompleted
    {
        get { lock (_gate) return _completed; }
    }
}
