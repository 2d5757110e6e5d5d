using System.Collections.Concurrent;
using System.Diagnostics;
using Understudy.Checks;
using Understudy.Core.Topology;

namespace Understudy.Tests.Checks;

/// <summary>The grid's thread ends the waits between checks, never early; checks that start without blocking start on it, a confirmation's never on its asker's thread.</summary>
public class CheckGridTests
{
    private const string GridThread = "understudy-check-grid";

    [Fact]
    public async Task Add_CompletesOnTheGridsThread_NotBeforeItsDueTime()
    {
        long due = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20; // 50 ms
        var wake = new TaskCompletionSource();
        Task<(long At, string? Thread)> woken = wake.Task.ContinueWith(_ => (Stopwatch.GetTimestamp(), Thread.CurrentThread.Name), TaskContinuationOptions.ExecuteSynchronously);
        CheckGrid.Shared.Add(due, wake);
        var (at, thread) = await woken.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(at >= due, $"woken {(due - at) * 1000.0 / Stopwatch.Frequency:0.0} ms early");
        Assert.Equal(GridThread, thread);
    }

    /// <summary>Records the thread each check starts on.</summary>
    private sealed class ThreadsCheck : IHealthCheck
    {
        public readonly BlockingCollection<string?> Threads = [];

        public bool StartsWithoutBlocking => true;

        public Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
        {
            Threads.Add(Thread.CurrentThread.Name);
            return Task.FromResult(new CheckOutcome(true, "ok"));
        }
    }

    [Fact]
    public async Task Scheduler_StartsRegularChecksOnTheGrid_AndConfirmationsOffIt()
    {
        var check = new ThreadsCheck();
        var spec = new CheckSpec(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 3, 2);
        var scheduler = new CheckScheduler(new MemberSpec("a", new HostPort("127.0.0.1", 1)), spec, check, TimeProvider.System, _ => { }, wakeStep: CheckScheduler.WakeStep);
        using var stopping = new CancellationTokenSource();
        Task running = Task.Run(() => scheduler.RunAsync(stopping.Token));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        check.Threads.Take(bound.Token); // the first, at once on the caller's thread
        Assert.Equal(GridThread, check.Threads.Take(bound.Token)); // a second later, woken by the grid
        // Asked for from a thread of its own (as a service loop asks): the check it wakes must not start on that thread.
        // (It may start on the grid's: the request can land before the scheduler waits again, which then goes on where it is.)
        var confirmer = new Thread(() => scheduler.Confirm(1)) { Name = "confirmer" };
        confirmer.Start();
        confirmer.Join();
        Assert.NotEqual("confirmer", check.Threads.Take(bound.Token));
        stopping.Cancel();
        await running.WaitAsync(bound.Token);
    }
}
