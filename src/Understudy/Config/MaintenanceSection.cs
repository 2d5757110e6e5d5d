using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>
/// <c>maintenance: { cron, duration, timezone }</c>: the windows in which a switchover requested "in the window" runs.
/// The cron expression and the time zone are checked by <see cref="CronValues"/>.
/// </summary>
internal static class MaintenanceSection
{
    private static readonly KeySet Keys = new(["cron", "duration", "timezone"]);

    /// <summary>Null when absent or after an error, which is recorded (<paramref name="failed"/> tells the two apart).</summary>
    public static MaintenanceSpec? Read(ConfigMapping service, out bool failed)
    {
        ConfigReader reader = service.Reader;
        int before = reader.ErrorCount;
        ConfigMapping? m = service.Section("maintenance", Keys);
        MaintenanceSpec? spec = null;
        if (m is not null)
        {
            string? cron = CronValues.ReadCron(m);
            TimeSpan? duration = m.Required("duration", "how long each window lasts, e.g. 2h") is { } d ? reader.Duration(d, m.KeyOf("duration"), zeroAllowed: false) : null;
            string? zone = CronValues.ReadZone(m);
            if (cron is not null && duration is { } length && zone is not null) spec = new MaintenanceSpec(cron, length, zone);
        }
        failed = reader.ErrorCount > before;
        return spec;
    }
}
