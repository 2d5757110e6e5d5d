using Cronos;
using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>
/// <c>maintenance: { cron, duration, timezone }</c>: the windows in which a switchover requested "in the window" runs.
/// The cron expression and the time zone are checked here, with Cronos and the system's IANA zones.
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
            string? cron = m.Required("cron", "a cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first") is { } c
                && reader.Scalar(c, m.KeyOf("cron"), "a cron expression") is { } cv ? Cron(reader, c, m.KeyOf("cron"), cv.Text) : null;
            TimeSpan? duration = m.Required("duration", "how long each window lasts, e.g. 2h") is { } d ? reader.Duration(d, m.KeyOf("duration"), zeroAllowed: false) : null;
            string? zone = m.Optional("timezone") is { } z && reader.Scalar(z, m.KeyOf("timezone"), "an IANA time zone") is { } zv ? Zone(reader, z, m.KeyOf("timezone"), zv.Text) : "UTC";
            if (cron is not null && duration is { } length && zone is not null) spec = new MaintenanceSpec(cron, length, zone);
        }
        failed = reader.ErrorCount > before;
        return spec;
    }

    /// <summary>Cronos reads 5 fields, or 6 with seconds first (its IncludeSeconds format), as DESIGN's drill schedules do.</summary>
    public static CronExpression Parse(string cron) =>
        CronExpression.Parse(cron, cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    private static string? Cron(ConfigReader reader, YamlDotNet.RepresentationModel.YamlNode node, string key, string text)
    {
        int fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        string? whyNot = fields is 5 or 6 ? null : $"expected 5 fields (minute hour day month weekday), or 6 with seconds first; got {fields}";
        if (whyNot is null)
        {
            try { Parse(text); }
            catch (CronFormatException e) { whyNot = e.Message; }
        }
        if (whyNot is null) return text;
        reader.Error(node, key, $"'{text}' is not a cron expression: {whyNot}");
        return null;
    }

    private static string? Zone(ConfigReader reader, YamlDotNet.RepresentationModel.YamlNode node, string key, string text)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(text);
            return text;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            reader.Error(node, key, $"'{text}' is not a time zone this machine knows (an IANA name such as Europe/Berlin, or UTC)");
            return null;
        }
    }
}
