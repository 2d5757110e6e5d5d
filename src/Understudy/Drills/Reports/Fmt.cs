using System.Globalization;

namespace Understudy.Drills.Reports;

/// <summary>
/// How reports spell times and numbers. Invariant culture everywhere, so a report reads the same whatever
/// the machine's locale; times are UTC to the millisecond, like the journal and report.json.
/// </summary>
internal static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>ISO 8601 UTC with milliseconds, the one spelling report.json and samples.csv use.</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", Inv);

    public static bool TryParseIso(string text, out DateTimeOffset t) =>
        DateTimeOffset.TryParse(text, Inv, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out t);

    public static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss.fff", Inv);

    public static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", Inv);

    /// <summary>Milliseconds after <paramref name="origin"/>, signed, e.g. "+5000 ms".</summary>
    public static string Since(DateTimeOffset t, DateTimeOffset origin) => SignedMs((t - origin).TotalMilliseconds);

    public static string SignedMs(double ms) => (ms >= 0 ? "+" : "") + Num(ms) + " ms";

    /// <summary>Whole milliseconds from 10 ms up, one decimal below (loopback latencies are often under 1 ms).</summary>
    public static string Num(double ms) => Math.Abs(ms) >= 10 ? ms.ToString("0", Inv) : ms.ToString("0.#", Inv);

    public static string Ms(double? ms, string whenNull = "—") => ms is { } v ? Num(v) + " ms" : whenNull;

    /// <summary>A whole run's length: seconds read better than tens of thousands of milliseconds.</summary>
    public static string Seconds(double ms) => (ms / 1000).ToString("0.###", Inv) + " s";

    public static string Pct(double? pct) => pct is { } p ? p.ToString("0.###", Inv) + " %" : "—";

    public static string Int(long? n) => n is { } v ? v.ToString(Inv) : "—";

    public static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static string VerdictText(Core.Drills.Verdict v) => v switch
    {
        Core.Drills.Verdict.Passed => "✅ passed",
        Core.Drills.Verdict.Failed => "❌ failed",
        _ => "⚠️ aborted",
    };

    /// <summary>A number for SVG coordinates: one decimal is below what a screen shows and keeps the file small.</summary>
    public static string Px(double v) => Math.Round(v, 1).ToString("0.#", Inv);
}
