using System.Globalization;

namespace Understudy.Bench;

/// <summary>What the benches' tables are made of: medians, and milliseconds as whole numbers.</summary>
internal static class Stats
{
    /// <summary>The median; NaN for none.</summary>
    public static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>Whole milliseconds, or "never" for what did not happen (NaN).</summary>
    public static string Ms(double x) => double.IsNaN(x) ? "never" : x.ToString("0", CultureInfo.InvariantCulture);
}
