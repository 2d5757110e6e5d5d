using System.Diagnostics;

namespace Understudy.Checks;

/// <summary>
/// One thread that ends the controller's waits between checks on the wake-up grid (<see cref="CheckScheduler.WakeStep"/>),
/// and the checks that start without blocking (<see cref="IHealthCheck.StartsWithoutBlocking"/>) then start on it: a
/// timer per wait fired on the thread pool, and each of those wake-ups left idle workers spinning, a quarter of the
/// controller's CPU at 2,000 checks a second (BENCHMARKS.md, "One controller, 1,000 services"). It ticks once a step
/// and wakes every wait due by then; a wait is never woken early.
/// </summary>
internal sealed class CheckGrid
{
    private static readonly Lazy<CheckGrid> Made = new(() => new CheckGrid(CheckScheduler.WakeStep));

    /// <summary>The process's grid, its thread started on first use.</summary>
    public static CheckGrid Shared => Made.Value;

    private readonly long _step;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, List<TaskCompletionSource>> _due = [];
    private List<IThreadPoolWorkItem> _later = [];

    private CheckGrid(TimeSpan step)
    {
        _step = Math.Max(1, (long)(step.TotalSeconds * Stopwatch.Frequency));
        // UnsafeStart: the thread must not carry its first caller's context (a request's) into every loop read it runs.
        new Thread(Run) { IsBackground = true, Name = "understudy-check-grid" }.UnsafeStart();
    }

    /// <summary>
    /// Completes <paramref name="wake"/> on this grid's thread at the first tick at or after <paramref name="due"/> (a
    /// <see cref="Stopwatch"/> timestamp). Made without <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>,
    /// what awaits it runs on the grid's thread and must not block.
    /// </summary>
    public void Add(long due, TaskCompletionSource wake)
    {
        long step = (due + _step - 1) / _step;
        lock (_gate)
        {
            if (!_due.TryGetValue(step, out var waits)) _due[step] = waits = [];
            waits.Add(wake);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on this grid's thread at its next tick, with all the work handed in since the last
    /// (a service loop's read of checks' results): a work item each woke a pool worker each, 2,000 a second. Like the
    /// checks' starts, it must not block: what might leaves the grid first (<see cref="IsCurrentThread"/>, <c>await Task.Yield()</c>).
    /// </summary>
    public void Later(IThreadPoolWorkItem work)
    {
        lock (_gate) _later.Add(work);
    }

    /// <summary>Whether the caller runs on a grid's thread, where nothing may block.</summary>
    public static bool IsCurrentThread => t_isGrid;

    [ThreadStatic] private static bool t_isGrid;

    private void Run()
    {
        t_isGrid = true;
        var ready = new List<TaskCompletionSource>();
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            long next = (now / _step + 1) * _step;
            Thread.Sleep((int)Math.Ceiling((next - now) * 1000.0 / Stopwatch.Frequency));
            long reached = Stopwatch.GetTimestamp() / _step;
            List<IThreadPoolWorkItem>? later = null;
            lock (_gate)
            {
                if (_later.Count > 0) (later, _later) = (_later, []);
                while (_due.Count > 0 && _due.First() is var (step, waits) && step <= reached)
                {
                    ready.AddRange(waits);
                    _due.Remove(step);
                }
            }
            foreach (TaskCompletionSource wake in ready)
            {
                try { wake.TrySetResult(); }
                catch (Exception) { /* a continuation's own failure lands in its task; nothing here may end the grid */ }
            }
            ready.Clear();
            foreach (IThreadPoolWorkItem work in later ?? [])
            {
                try { work.Execute(); }
                catch (Exception) { /* as above: its own failure is its own */ }
            }
        }
    }
}
