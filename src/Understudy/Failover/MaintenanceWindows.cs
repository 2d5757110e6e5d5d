using System.Globalization;
using System.Text.RegularExpressions;
using Understudy.Config;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Failover;

/// <summary>When a scheduled switchover runs: at a given instant, or in the service's next maintenance window (Cronos).</summary>
public static partial class MaintenanceWindows
{
    /// <summary>The window open now, or the next one to open, from <paramref name="now"/>.</summary>
    public static ScheduledWindow Next(MaintenanceSpec m, DateTimeOffset now)
    {
        var cron = CronValues.Parse(m.Cron);
        TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(m.TimeZone);
        // Inclusive from one duration back: a window that opened less than a duration ago is still open.
        DateTimeOffset start = cron.GetNextOccurrence(now - m.Duration, zone, inclusive: true)
            ?? throw new InvalidOperationException($"'{m.Cron}' never occurs again");
        return new ScheduledWindow(start, start + m.Duration, $"in the maintenance window ({m.Cron}, {m.TimeZone})");
    }

    /// <summary>An instant with its offset ("2026-12-20T03:00Z", "2026-12-20T04:00+01:00"); why not, otherwise.</summary>
    public static ScheduledWindow? At(string text, DateTimeOffset now, out string whyNot)
    {
        whyNot = "";
        if (!WithOffset().IsMatch(text.Trim())
            || !DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset at))
        {
            whyNot = $"expected an ISO 8601 time with its offset, e.g. 2026-12-20T03:00Z; got '{text}'";
            return null;
        }
        if (at + ScheduleDefaults.Grace <= now)
        {
            whyNot = $"{at:u} has passed";
            return null;
        }
        return new ScheduledWindow(at, at + ScheduleDefaults.Grace, $"at {at:u}");
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$", RegexOptions.IgnoreCase)]
    private static partial Regex WithOffset();
}
