using System.Globalization;
using System.Text.RegularExpressions;

namespace Understudy.Config;

/// <summary>
/// Sizes as written in config: a whole number of bytes, or <c>kB</c>, <c>MB</c>, <c>GB</c> with 1024 multipliers,
/// case-sensitive, as in postgresql.conf (<c>1MB</c> = 1 MiB = 1048576 bytes).
/// </summary>
public static partial class Sizes
{
    private const string Units = "use kB, MB or GB (1024-based), or a whole number of bytes";

    private static readonly Dictionary<string, long> BytesPer = new(StringComparer.Ordinal)
    {
        ["kB"] = 1L << 10,
        ["MB"] = 1L << 20,
        ["GB"] = 1L << 30,
    };

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)(?<unit>[A-Za-z]*)$")]
    private static partial Regex Shape();

    public static bool TryParse(string text, out long bytes, out string whyNot)
    {
        bytes = 0;
        string t = text.Trim();
        Match m = Shape().Match(t);
        whyNot = t.Length == 0 ? $"expected a size such as 512kB or 1MB, got an empty value"
            : t.StartsWith('-') ? $"a size cannot be negative (got '{text}')"
            : !m.Success ? $"expected a size such as 512kB or 1MB, got '{text}'"
            : "";
        if (whyNot.Length > 0) return false;

        if (!decimal.TryParse(m.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        { whyNot = $"'{text}' is too large a size"; return false; }
        string unit = m.Groups["unit"].Value;
        long per = 1;
        if (unit.Length == 0 && number != decimal.Truncate(number)) { whyNot = $"a number of bytes must be whole, got '{text}'"; return false; }
        if (unit.Length > 0 && !BytesPer.TryGetValue(unit, out per)) { whyNot = UnknownUnit(unit, text); return false; }
        if (number > long.MaxValue / (decimal)per) { whyNot = $"'{text}' is too large a size"; return false; }

        bytes = (long)Math.Round(number * per);
        return true;
    }

    // "1mb" or "1KB" are most likely meant as MB or kB; say so instead of only listing the units.
    private static string UnknownUnit(string unit, string text)
    {
        string? near = BytesPer.Keys.FirstOrDefault(u => string.Equals(u, unit, StringComparison.OrdinalIgnoreCase));
        string hint = near is null ? "" : $"did you mean '{near}'? ";
        return $"unknown unit '{unit}' in '{text}'; {hint}{Units}";
    }
}
