using Understudy.Cluster;
using Understudy.Core.Topology;

namespace Understudy.Drills.Scheduling;

/// <summary>
/// The calendar of the config's <c>drills:</c>: waits for each run's time (its cron occurrence plus drawn jitter) and
/// hands it to <paramref name="launch"/> (<see cref="DrillLauncher.StartAsync"/>). Every instance keeps the calendar;
/// only the leader launches.
/// </summary>
public sealed partial class DrillScheduler(UnderstudySpec spec, Func<DrillScheduleSpec, CancellationToken, Task> launch, IClusterState cluster,
    TimeProvider time, Random random, ILogger<DrillScheduler> logger) : BackgroundService
{
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
                if (cluster.IsLeader) await TryLaunchAsync(schedule, stopping);
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
    private async Task TryLaunchAsync(DrillScheduleSpec s, CancellationToken stopping)
    {
        try { await launch(s, stopping); }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            Log.Failed(logger, e, s.Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 144, Level = LogLevel.Error, Message = "scheduled drill '{Name}' could not be started")]
        public static partial void Failed(ILogger logger, Exception error, string name);
    }
}
