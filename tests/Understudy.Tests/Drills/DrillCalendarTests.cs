using System.Collections.Immutable;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Drills.Scheduling;

namespace Understudy.Tests.Drills;

public class DrillCalendarTests
{
    // A Sunday evening.
    private static readonly DateTimeOffset Sunday = new(2026, 12, 6, 20, 0, 7, TimeSpan.Zero);

    private static DrillScheduleSpec Schedule(string cron, string zone = "UTC", TimeSpan jitter = default) =>
        new("/srv/drills/web.yaml", cron, zone, DrillEnvironment.Staging, jitter, "web crash", "web");

    [Fact]
    public void NextOccurrence_FiveFields_NextMondayAtThreeUtc() =>
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero), DrillCalendar.NextOccurrence(Schedule("0 3 * * MON"), Sunday));

    [Fact]
    public void NextOccurrence_InAZone_ThreeInBerlinIsTwoUtcInWinter() =>
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 2, 0, 0, TimeSpan.Zero), DrillCalendar.NextOccurrence(Schedule("0 3 * * MON", "Europe/Berlin"), Sunday)!.Value.ToUniversalTime());

    [Fact]
    public void NextOccurrence_SixFields_SecondsComeFirst() =>
        Assert.Equal(Sunday.AddSeconds(8), DrillCalendar.NextOccurrence(Schedule("*/15 * * * * *"), Sunday));

    [Fact]
    public void NextOccurrence_AtAnOccurrence_IsTheOneAfter() =>
        Assert.Equal(Sunday.AddSeconds(23), DrillCalendar.NextOccurrence(Schedule("*/15 * * * * *"), Sunday.AddSeconds(8)));

    [Fact]
    public void NextOccurrence_TimeSkippedBySpringForward_RunsAtTheJump() =>
        // 02:30 does not exist in New York on 14 March 2027: Cronos runs it at 03:00 EDT, 07:00 UTC.
        Assert.Equal(new DateTimeOffset(2027, 3, 14, 7, 0, 0, TimeSpan.Zero),
            DrillCalendar.NextOccurrence(Schedule("30 2 * * *", "America/New_York"), new DateTimeOffset(2027, 3, 13, 12, 0, 0, TimeSpan.Zero))!.Value.ToUniversalTime());

    [Fact]
    public void NextOccurrence_NeverAgain_IsNull() =>
        Assert.Null(DrillCalendar.NextOccurrence(Schedule("0 0 30 2 *"), Sunday));

    [Fact]
    public void Jitter_None_IsZero() => Assert.Equal(TimeSpan.Zero, DrillCalendar.Jitter(TimeSpan.Zero, new Random(1)));

    [Fact]
    public void Plan_WithJitter_StartsWithinTheJitterAfterTheOccurrence_TheSameForTheSameSeed()
    {
        DrillScheduleSpec s = Schedule("0 3 * * MON", jitter: TimeSpan.FromMinutes(30));
        ImmutableArray<PlannedRun> runs = [.. Enumerable.Range(0, 200).Select(seed => DrillCalendar.Plan(s, Sunday, new Random(seed))!)];

        Assert.All(runs, r => Assert.InRange(r.StartsAt - r.Occurrence, TimeSpan.Zero, TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1)));
        Assert.True(runs.Select(r => r.StartsAt).Distinct().Count() > 100, "the delay is drawn, not fixed");
        Assert.Equal(DrillCalendar.Plan(s, Sunday, new Random(42)), DrillCalendar.Plan(s, Sunday, new Random(42)));
    }
}
