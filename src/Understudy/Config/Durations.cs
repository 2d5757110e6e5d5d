using System.Globalization;
using System.Text.RegularExpressions;

namespace Understudy.Config;

/// <summary>Durations as written in config: <c>150ms</c>, <c>2s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>, or <c>0</c>.</summary>
public static partial class Durations
{
    private const string Example = "such as 200ms, 5s, 2m or 1h";

    private static readonly Dictionary<string, long> TicksPer = new(StringComparer.Ordinal)
    {
        ["ms"] = TimeSpan.TicksPerMillisecond,
        ["s"] = TimeSpan.TicksPerSecond,
        ["m"] = TimeSpan.TicksPerMinute,
        ["h"] = TimeSpan.TicksPerHour,
    };

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)(?<unit>[A-Za-z]*)$")]
    private static partial Regex Shape();

    public static bool TryParse(string text, out TimeSpan value, out string whyNot)
    {
        value = TimeSpan.Zero;
        string t = text.Trim();
        whyNot = "";
        Match m = Shape().Match(t);
        if (t.Length == 0) whyNot = $"expected a duration {Example}, got an empty value";
        else if (t.StartsWith('-')) whyNot = $"a duration cannot be negative (got '{text}'); use ms, s, m or h";
        else if (!m.Success) whyNot = $"expected a duration {Example}, got '{text}'";
        if (whyNot.Length > 0) return false;

        string unit = m.Groups["unit"].Value;
        // A bare zero is unambiguous; any other bare number could mean seconds or milliseconds, so it is refused.
        if (unit.Length == 0 && t.All(c => c is '0' or '.')) return true;
        if (unit.Length == 0) { whyNot = $"'{text}' has no unit; use ms, s, m or h, e.g. {t}s"; return false; }
        if (!TicksPer.TryGetValue(unit, out long per)) { whyNot = $"unknown unit '{unit}' in '{text}'; use ms, s, m or h"; return false; }
        if (!decimal.TryParse(m.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number)
            || number > TimeSpan.MaxValue.Ticks / (decimal)per) { whyNot = $"'{text}' is too long a duration"; return false; }

        value = TimeSpan.FromTicks((long)Math.Round(number * per));
        return true;
    }

    /// <summary>The shortest exact spelling in config units, for messages: 1500ms, 2s, 5m, 1h.</summary>
    public static string Format(TimeSpan value)
    {
        long ticks = value.Ticks;
        if (ticks == 0) return "0";
        foreach (string unit in (string[])["h", "m", "s", "ms"])
            if (ticks % TicksPer[unit] == 0) return $"{ticks / TicksPer[unit]}{unit}";
        return $"{(decimal)ticks / TimeSpan.TicksPerMillisecond:0.####}ms";
    }
}
