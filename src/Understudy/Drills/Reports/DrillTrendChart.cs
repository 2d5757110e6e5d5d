using System.Text;
using Understudy.Core.Drills;
using static Understudy.Drills.Reports.SvgTimeline;

namespace Understudy.Drills.Reports;

/// <summary>
/// A drill's recent runs as inline SVG, in the report chart's frame (its width, legend and escaping): RTO and
/// recovery time per run, oldest on the left, against the drill's targets as dashed lines. Each run is a
/// <c>&lt;g class="run"&gt;</c> with a tooltip; a failed run is a hollow red dot, an aborted one grey, and a run
/// judged a regression carries a red triangle. Runs are spaced evenly rather than by date: drills are weekly
/// or monthly, and a gap of a month would otherwise squeeze the rest into a corner.
/// </summary>
public static class DrillTrendChart
{
    private const double PlotTop = 14, PlotHeight = 150, Pad = 12;
    private const string RtoColour = "#1f4e9c", RecoveryColour = "#f28e2b", FailedColour = "#d62728", AbortedColour = "#9ca3af";

    public static string Render(DrillTrend trend)
    {
        var runs = trend.Runs;
        double top = PlotValue(trend);
        var body = new StringBuilder();
        Grid(body, top);
        Target(body, "rto", "RTO target", trend.RtoTargetMs, top, RtoColour);
        Target(body, "recovery", "recovery target", trend.RecoveryTargetMs, top, RecoveryColour);
        Series(body, "rto", runs.Select(r => r.Run.RtoMs).ToList(), top, RtoColour);
        Series(body, "recovery", runs.Select(r => r.Run.RecoveryTimeMs).ToList(), top, RecoveryColour);
        for (int i = 0; i < runs.Count; i++) Run(body, runs[i], X(i, runs.Count), top);
        double bottom = PlotTop + PlotHeight;
        Dates(body, runs, bottom);
        double height = Legend(body,
        [
            (Line(RtoColour, ""), "RTO"), (Line(RecoveryColour, ""), "recovery time"), (Line("#374151", "6 3"), "target"),
            ($"<circle cx=\"6\" cy=\"-3\" r=\"3.5\" fill=\"#fff\" stroke=\"{FailedColour}\" stroke-width=\"2\"/>", "failed run"),
            ($"<circle cx=\"6\" cy=\"-3\" r=\"3.5\" fill=\"{AbortedColour}\"/>", "aborted run"),
            ($"<path d=\"{Triangle(6, -3)}\" fill=\"{FailedColour}\"/>", "regression"),
        ], bottom + 40);
        string service = trend.Service.Length > 0 ? $" of {trend.Service}" : "";
        // Namespaced: the dashboard shows it as an image, and an image's SVG needs its namespace (inline HTML does not).
        return Svg(body, height, $"RTO and recovery time of drill '{trend.Name}'{service} over its last {runs.Count} run{(runs.Count == 1 ? "" : "s")}, against its targets")
            .Replace("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", StringComparison.Ordinal);
    }

    /// <summary>The value at the top of the plot: a round number above every figure and target, so both lines always show.</summary>
    private static double PlotValue(DrillTrend trend)
    {
        double max = trend.Runs.SelectMany(r => new[] { r.Run.RtoMs, r.Run.RecoveryTimeMs })
            .Append(trend.RtoTargetMs).Append(trend.RecoveryTargetMs).OfType<double>().DefaultIfEmpty(0).Max();
        double step = Step(Math.Max(max * 1.1, 100));
        return Math.Ceiling(Math.Max(max * 1.1, 100) / step) * step;
    }

    /// <summary>A 1-2-5 step giving about five grid lines.</summary>
    private static double Step(double span)
    {
        double raw = span / 5, decade = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * decade).First(s => s >= raw);
    }

    private static double X(int i, int count) => count == 1 ? Left + PlotWidth / 2 : Left + Pad + i * (PlotWidth - 2 * Pad) / (count - 1);

    private static double Y(double ms, double top) => PlotTop + PlotHeight * (1 - Math.Clamp(ms / top, 0, 1));

    private static void Grid(StringBuilder b, double top)
    {
        double step = Step(top);
        b.Append("<g class=\"grid\"><path stroke=\"#e1e4e8\" d=\"");
        for (double v = 0; v <= top + step / 1000; v += step) b.Append($"M{Fmt.Px(Left)} {Fmt.Px(Y(v, top))}h{Fmt.Px(PlotWidth)}");
        b.Append("\"/>");
        for (double v = 0; v <= top + step / 1000; v += step)
            b.Append($"<text x=\"{Fmt.Px(Left - 4)}\" y=\"{Fmt.Px(Y(v, top) + 3)}\" text-anchor=\"end\" fill=\"#6b7280\">{(v == 0 ? "0" : LatencyScale.Label(v))}</text>");
        b.Append("</g>");
    }

    private static void Target(StringBuilder b, string kind, string label, double? ms, double top, string colour)
    {
        if (ms is not { } v) return;
        double y = Y(v, top);
        string text = $"{label} {LatencyScale.Label(v)}";
        b.Append($"<g class=\"target\" data-target=\"{kind}\"><title>{Esc(text)}</title>");
        b.Append($"<path d=\"M{Fmt.Px(Left)} {Fmt.Px(y)}h{Fmt.Px(PlotWidth)}\" stroke=\"{colour}\" stroke-width=\"1.2\" stroke-dasharray=\"6 3\"/>");
        // At the right end, above the line, where the newest runs are compared with it and no grid label sits.
        b.Append($"<text x=\"{Fmt.Px(Left + PlotWidth)}\" y=\"{Fmt.Px(y - 3)}\" text-anchor=\"end\" fill=\"{colour}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{Esc(text)}</text></g>");
    }

    /// <summary>The runs' values joined in order; a run without the figure breaks the line rather than bridging it.</summary>
    private static void Series(StringBuilder b, string kind, List<double?> values, double top, string colour)
    {
        var d = new StringBuilder();
        bool open = false;
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } v) { open = false; continue; }
            d.Append(open ? "L" : "M").Append($"{Fmt.Px(X(i, values.Count))} {Fmt.Px(Y(v, top))}");
            open = true;
        }
        if (d.Length > 0) b.Append($"<path class=\"series\" data-series=\"{kind}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" stroke-linejoin=\"round\" d=\"{d}\"/>");
    }

    private static void Run(StringBuilder b, TrendRun run, double x, double top)
    {
        var r = run.Run;
        b.Append($"<g class=\"run\" data-verdict=\"{Esc(r.Verdict)}\"{(run.Regression is null ? "" : " data-regressed=\"true\"")}><title>{Esc(Tooltip(run))}</title>");
        Dot(b, r.Verdict, r.RtoMs, x, top, RtoColour);
        Dot(b, r.Verdict, r.RecoveryTimeMs, x, top, RecoveryColour);
        if (run.Regression is not null)
        {
            double at = Y(Math.Max(r.RecoveryTimeMs ?? 0, r.RtoMs ?? 0), top) - 9;
            b.Append($"<path class=\"regressed\" d=\"{Triangle(x, at)}\" fill=\"{FailedColour}\"/>");
        }
        b.Append("</g>");
    }

    private static void Dot(StringBuilder b, string verdict, double? ms, double x, double top, string colour)
    {
        if (ms is not { } v) return;
        string paint = verdict switch
        {
            "failed" => $"fill=\"#fff\" stroke=\"{FailedColour}\" stroke-width=\"2\"",
            "aborted" => $"fill=\"{AbortedColour}\"",
            _ => $"fill=\"{colour}\"",
        };
        b.Append($"<circle cx=\"{Fmt.Px(x)}\" cy=\"{Fmt.Px(Y(v, top))}\" r=\"3.5\" {paint}/>");
    }

    private static string Triangle(double x, double y) => $"M{Fmt.Px(x)} {Fmt.Px(y - 4)}l4 7h-8z";

    /// <summary>Dates under the runs, as many as fit without overlapping, always the first and the last.</summary>
    private static void Dates(StringBuilder b, IReadOnlyList<TrendRun> runs, double bottom)
    {
        const double LabelWidth = 130;
        b.Append($"<g class=\"axis\"><path stroke=\"#374151\" d=\"M{Fmt.Px(Left)} {Fmt.Px(bottom + 4)}h{Fmt.Px(PlotWidth)}\"/>");
        double lastLabel = double.NegativeInfinity;
        for (int i = 0; i < runs.Count; i++)
        {
            double x = X(i, runs.Count);
            bool last = i == runs.Count - 1;
            if (x - lastLabel < LabelWidth || (!last && X(runs.Count - 1, runs.Count) - x < LabelWidth && runs.Count > 1)) continue;
            // The newest run's date ends at its dot rather than running off the chart.
            string anchor = x + LabelWidth / 2 > Width ? "end" : "middle";
            b.Append($"<text x=\"{Fmt.Px(anchor == "end" ? x + Pad : x)}\" y=\"{Fmt.Px(bottom + 18)}\" text-anchor=\"{anchor}\">{runs[i].Run.Time.UtcDateTime:yyyy-MM-dd HH:mm} UTC</text>");
            lastLabel = x;
        }
        b.Append("</g>");
    }

    private static string Tooltip(TrendRun run)
    {
        var r = run.Run;
        string text = $"{Fmt.Iso(r.Time)}: {r.Verdict}; RTO {Fmt.Ms(r.RtoMs)}, recovery {Fmt.Ms(r.RecoveryTimeMs)}";
        if (r.LostAcknowledgedWrites is { } lost) text += $", {lost} acknowledged write{(lost == 1 ? "" : "s")} lost";
        if (r.AvailabilityPct is { } pct) text += $", availability {Fmt.Pct(pct)}";
        return run.Regression is { } g ? $"{text}. {g.Reason}" : text;
    }
}
