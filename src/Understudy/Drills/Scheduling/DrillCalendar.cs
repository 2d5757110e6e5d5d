using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Drills.Scheduling;

/// <summary>One run of a schedule: the cron's <paramref name="Occurrence"/>, and when it starts after its jitter.</summary>
public sealed record PlannedRun(DrillScheduleSpec Schedule, DateTimeOffset Occurrence, DateTimeOffset StartsAt);

/// <summary>When a scheduled drill runs next: Cronos reads the cron in the schedule's zone, and a random part of the jitter is added.</summary>
public static class DrillCalendar
{
    /// <summary>The first occurrence after <paramref name="after"/> (not at it); null when the cron never occurs again.</summary>
    public static DateTimeOffset? NextOccurrence(DrillScheduleSpec schedule, DateTimeOffset after) =>
        CronValues.Parse(schedule.Cron).GetNextOccurrence(after, TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone));

    /// <summary>A delay in [0, <paramref name="max"/>), so runs of many controllers' schedules do not all start on the minute.</summary>
    public static TimeSpan Jitter(TimeSpan max, Random random) => max <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(random.NextInt64(max.Ticks));

    /// <summary>The next run after <paramref name="after"/>, its jitter drawn from <paramref name="random"/>; null when there is none.</summary>
    public static PlannedRun? Plan(DrillScheduleSpec schedule, DateTimeOffset after, Random random) =>
        NextOccurrence(schedule, after) is { } at ? new PlannedRun(schedule, at, at + Jitter(schedule.Jitter, random)) : null;
}
