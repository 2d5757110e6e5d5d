using System.ComponentModel;
using System.Diagnostics;
using Understudy.Cluster;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Hosting;

namespace Understudy.Drills.Scheduling;

/// <summary>
/// Runs the config's <c>drills:</c> at their times, each as its own <c>understudy drill run FILE</c> process, so a
/// drill that hangs or crashes never takes the controller with it. Every instance keeps the calendar; only the leader
/// starts a run. The run gets the drill lock the gate took, through <see cref="LockVariable"/>, and the lock is
/// released when the process ends, whatever it did.
/// </summary>
public sealed partial class DrillScheduler(UnderstudySpec spec, DrillGate gate, DrillLocks locks, IClusterState cluster, TimeProvider time, Random random,
    ILogger<DrillScheduler> logger) : BackgroundService
{
    /// <summary>The drill lock's token, handed to a scheduled run: its <c>drill run</c> renews that lock instead of taking another.</summary>
    public const string LockVariable = "UNDERSTUDY_DRILL_LOCK";

    /// <summary>Timers are re-armed at least this often: Task.Delay takes at most about 49 days, a yearly cron waits longer.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    private readonly PlannedRun?[] _next = new PlannedRun?[spec.DrillSchedules.Length];

    /// <summary>Each schedule's next run as planned (its jitter drawn), in config order; a schedule that never runs again is left out.</summary>
    public IReadOnlyList<PlannedRun> Upcoming() => [.. _next.Select((p, i) => p ?? Plan(spec.DrillSchedules[i], time.GetUtcNow())).OfType<PlannedRun>()];

    protected override Task ExecuteAsync(CancellationToken stopping) =>
        Task.WhenAll(spec.DrillSchedules.Select((s, i) => FollowAsync(s, i, stopping)));

    private async Task FollowAsync(DrillScheduleSpec schedule, int index, CancellationToken stopping)
    {
        try
        {
            DateTimeOffset after = time.GetUtcNow();
            while (Plan(schedule, after) is { } run)
            {
                _next[index] = run;
                await WaitUntilAsync(run.StartsAt, stopping);
                // From now, not from the occurrence: occurrences that passed during the jitter are not run late.
                after = time.GetUtcNow();
                if (cluster.IsLeader) await TryStartAsync(schedule, stopping);
            }
            _next[index] = null;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    private PlannedRun? Plan(DrillScheduleSpec schedule, DateTimeOffset after)
    {
        // Random is not thread-safe and every schedule draws from it.
        lock (random) return DrillCalendar.Plan(schedule, after, random);
    }

    private async Task WaitUntilAsync(DateTimeOffset at, CancellationToken stopping)
    {
        for (TimeSpan left = at - time.GetUtcNow(); left > TimeSpan.Zero; left = at - time.GetUtcNow())
            await Task.Delay(left < LongestWait ? left : LongestWait, time, stopping);
    }

    /// <summary>A run that could not start (the journal unavailable, say) costs that run, never the calendar or the controller.</summary>
    private async Task TryStartAsync(DrillScheduleSpec s, CancellationToken stopping)
    {
        try { await StartAsync(s, stopping); }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            Log.Failed(logger, e, s.Name);
        }
    }

    private async Task StartAsync(DrillScheduleSpec s, CancellationToken stopping)
    {
        var (taken, whyNot) = await gate.TryOpenAsync(s.Service, s.Name, s.File, Actors.Controller, $"the schedule of {s.File}", stopping);
        if (taken is null)
        {
            Log.Skipped(logger, s.Name, whyNot!);
            return;
        }
        Process child;
        try
        {
            // In the drill file's folder, as drill files expect of their exec steps; the report where the dashboard lists reports.
            child = SelfProcess.StartIn(Path.GetDirectoryName(s.File), line => Log.Output(logger, s.Name, line),
                new Dictionary<string, string> { [LockVariable] = taken.Token }, "drill", "run", s.File, "--out", spec.Controller.DrillsDir);
        }
        catch (Exception e) when (e is Win32Exception or IOException or InvalidOperationException)
        {
            locks.Release(s.Service, taken.Token);
            await gate.SkippedAsync(s.Service, s.Name, s.File, $"the drill process could not start: {e.Message}", Actors.Controller, stopping);
            return;
        }
        int pid = child.Id;
        _ = ReleaseAtExitAsync(child, s, taken, pid);
        Log.Started(logger, s.Name, pid);
        await gate.StartedAsync(s.Service, s.Name, s.File, pid, Actors.Controller, stopping);
    }

    /// <summary>The run's end frees the service whatever its outcome; a controller stopping meanwhile leaves the drill to finish.</summary>
    private async Task ReleaseAtExitAsync(Process child, DrillScheduleSpec s, DrillLock taken, int pid)
    {
        using (child)
        {
            await child.WaitForExitAsync();
            locks.Release(s.Service, taken.Token);
            Log.Ended(logger, s.Name, pid, child.ExitCode);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "scheduled drill '{Name}' started (pid {Pid})")]
        public static partial void Started(ILogger logger, string name, int pid);

        [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "scheduled drill '{Name}' skipped: {Why}")]
        public static partial void Skipped(ILogger logger, string name, string why);

        [LoggerMessage(EventId = 142, Level = LogLevel.Information, Message = "scheduled drill '{Name}' (pid {Pid}) ended with exit code {ExitCode}")]
        public static partial void Ended(ILogger logger, string name, int pid, int exitCode);

        [LoggerMessage(EventId = 144, Level = LogLevel.Error, Message = "scheduled drill '{Name}' could not be started")]
        public static partial void Failed(ILogger logger, Exception error, string name);

        [LoggerMessage(EventId = 143, Level = LogLevel.Debug, Message = "drill '{Name}': {Line}")]
        public static partial void Output(ILogger logger, string name, string line);
    }
}
