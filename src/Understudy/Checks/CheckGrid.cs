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

    private CheckGrid(TimeSpan step)
    {
        _step = Math.Max(1, (long)(step.TotalSeconds * Stopwatch.Frequency));
        new Thread(Run) { IsBackground = true, Name = "understudy-check-grid" }.Start();
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

    private void Run()
    {
        var ready = new List<TaskCompletionSource>();
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            long next = (now / _step + 1) * _step;
            Thread.Sleep((int)Math.Ceiling((next - now) * 1000.0 / Stopwatch.Frequency));
            long reached = Stopwatch.GetTimestamp() / _step;
            lock (_gate)
            {
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
        }
    }
}
