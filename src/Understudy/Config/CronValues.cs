using Cronos;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// Cron expressions and IANA time zones as the config writes them (maintenance windows, drill schedules): 5 fields,
/// or 6 with seconds first (Cronos's IncludeSeconds format), checked with Cronos and the system's zones.
/// </summary>
internal static class CronValues
{
    public const string Expected = "a cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first";

    public static CronExpression Parse(string cron) =>
        CronExpression.Parse(cron, cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    /// <summary>The required <c>cron</c> of <paramref name="m"/>; null after recording why.</summary>
    public static string? ReadCron(ConfigMapping m)
    {
        if (m.Required("cron", Expected) is not { } node || m.Reader.Scalar(node, m.KeyOf("cron"), "a cron expression") is not { } v) return null;
        int fields = v.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        string? whyNot = fields is 5 or 6 ? null : $"expected 5 fields (minute hour day month weekday), or 6 with seconds first; got {fields}";
        if (whyNot is null)
        {
            try { Parse(v.Text); }
            catch (CronFormatException e) { whyNot = e.Message; }
        }
        if (whyNot is null) return v.Text;
        m.Reader.Error(node, m.KeyOf("cron"), $"'{v.Text}' is not a cron expression: {whyNot}");
        return null;
    }

    /// <summary>The optional <c>timezone</c> of <paramref name="m"/>, UTC when absent; null after recording why.</summary>
    public static string? ReadZone(ConfigMapping m)
    {
        if (m.Optional("timezone") is not { } node) return "UTC";
        if (m.Reader.Scalar(node, m.KeyOf("timezone"), "an IANA time zone") is not { } v) return null;
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(v.Text);
            return v.Text;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            m.Reader.Error(node, m.KeyOf("timezone"), $"'{v.Text}' is not a time zone this machine knows (an IANA name such as Europe/Berlin, or UTC)");
            return null;
        }
    }
}
