using System.Security;
using System.Text;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>
/// The timeline chart of report.html as inline SVG: x is time since the drill started; one lane per probe
/// (<c>&lt;g class="probe" data-probe="NAME"&gt;</c>) with each attempt as a tick at its start, coloured by
/// outcome, over a log-scale latency band; vertical markers for the fault, recovery and every controller
/// event, with &lt;title&gt; tooltips; a band over a probe's lane for its DNS tail. No script and no external reference, so the file stands alone.
/// </summary>
public static partial class SvgTimeline
{
    /// <summary>Above this many attempts a probe's marks are merged into <see cref="BinWidth"/>-pixel bins, to keep the page small.</summary>
    public const int MaxMarksPerProbe = 2000;

    // Internal: the site incident chart draws its own lanes in the same frame.
    internal const double Width = 960, Left = 150, Right = 16, PlotWidth = Width - Left - Right;
    private const int LabelRows = 4;
    internal const double LabelRowHeight = 12, Top = 8 + LabelRows * LabelRowHeight + 6;
    private const double LaneHeight = 86, StripHeight = 12, BandTop = 18, BandHeight = 56;
    private const double BinWidth = 2;

    internal const string OkColour = "#2e9d4a";
    private const string LatencyColour = "#1f4e9c";

    /// <summary>Reds and oranges, one per failure kind, so "refused" and "timeout" outages look different at a glance.</summary>
    internal static readonly IReadOnlyDictionary<ErrorKind, string> FailureColours = new Dictionary<ErrorKind, string>
    {
        [ErrorKind.Refused] = "#d62728",
        [ErrorKind.Reset] = "#f28e2b",
        [ErrorKind.Timeout] = "#8c1c13",
        [ErrorKind.HttpStatus] = "#c2185b",
        [ErrorKind.Overload] = "#e9a23b",
        [ErrorKind.Other] = "#7b3f00",
    };

    /// <summary>One tick of a lane: an attempt, or a bin of attempts when there are too many to draw one by one.</summary>
    private readonly record struct Mark(double X, ErrorKind Outcome, double? OkLatencyMs, double? FailedLatencyMs);

    public static string Render(DrillReport report, IReadOnlyList<(string Probe, ProbeSample Sample)> samples)
    {
        List<(string Name, List<ProbeSample> Samples)> lanes = Lanes(report, samples);
        DateTimeOffset end = samples.Select(s => s.Sample.End).Append(report.EndedAt).Max();
        var x = new TimeScale(report.StartedAt, Math.Max(1, (end - report.StartedAt).TotalMilliseconds), Left, PlotWidth);
        var y = LatencyScale.For(samples.Select(s => s.Sample.Latency.TotalMilliseconds));
        double lanesBottom = Top + lanes.Count * LaneHeight;

        var body = new StringBuilder();
        for (int i = 0; i < lanes.Count; i++) Lane(body, lanes[i].Name, lanes[i].Samples, Top + i * LaneHeight, x, y);
        Outage(body, report, x, lanesBottom);
        DnsTails(body, report, lanes.Select(l => l.Name).ToList(), x);
        Markers(body, report, x, lanesBottom);
        Axis(body, x, lanesBottom, "since start");
        var kinds = samples.Where(s => !s.Sample.Ok).Select(s => Outcome(s.Sample)).Distinct().Order().ToList();
        double height = Legend(body, LegendItems(kinds, report.Probes.Any(p => p.DnsTail is { TailMs: > 0 })), lanesBottom + 44);
        return Svg(body, height, "Every probe attempt over the drill, coloured by outcome, with latency, the fault and controller events");
    }

    /// <summary>The chart's frame: one inline SVG with an accessible title and no external reference.</summary>
    internal static string Svg(StringBuilder body, double height, string title) =>
        $"<svg id=\"timeline\" viewBox=\"0 0 {Fmt.Px(Width)} {Fmt.Px(height)}\" width=\"{Fmt.Px(Width)}\" height=\"{Fmt.Px(height)}\" "
        + "role=\"img\" aria-labelledby=\"timeline-title\" font-family=\"system-ui, sans-serif\" font-size=\"10\">"
        + $"<title id=\"timeline-title\">{Esc(title)}</title>"
        + body + "</svg>";

    /// <summary>The report's probes in its order, then any probe found only in the samples, so no attempt goes undrawn.</summary>
    private static List<(string, List<ProbeSample>)> Lanes(DrillReport report, IReadOnlyList<(string Probe, ProbeSample Sample)> samples)
    {
        var byName = samples.GroupBy(s => s.Probe, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(s => s.Sample).OrderBy(s => s.Start).ToList(), StringComparer.Ordinal);
        var names = report.Probes.Select(p => p.Name).Concat(samples.Select(s => s.Probe)).Distinct(StringComparer.Ordinal);
        return [.. names.Select(n => (n, byName.GetValueOrDefault(n) ?? []))];
    }

    private static void Lane(StringBuilder b, string name, List<ProbeSample> samples, double top, TimeScale x, LatencyScale y)
    {
        int failed = samples.Count(s => !s.Ok);
        b.Append($"<g class=\"probe\" data-probe=\"{Esc(name)}\" transform=\"translate(0,{Fmt.Px(top)})\">");
        b.Append($"<title>{Esc(name)}: {samples.Count} attempts, {failed} failed</title>");
        string shown = name.Length > 24 ? name[..23] + "…" : name;
        b.Append($"<text x=\"{Fmt.Px(Left - 8)}\" y=\"10\" text-anchor=\"end\" font-weight=\"600\">{Esc(shown)}</text>");
        b.Append($"<rect x=\"{Fmt.Px(Left)}\" y=\"0\" width=\"{Fmt.Px(PlotWidth)}\" height=\"{Fmt.Px(StripHeight)}\" fill=\"#eef0f3\"/>");
        b.Append($"<rect x=\"{Fmt.Px(Left)}\" y=\"{Fmt.Px(BandTop)}\" width=\"{Fmt.Px(PlotWidth)}\" height=\"{Fmt.Px(BandHeight)}\" fill=\"#f7f8fa\"/>");
        Grid(b, y);
        if (samples.Count == 0)
        {
            b.Append($"<text x=\"{Fmt.Px(Left + 6)}\" y=\"{Fmt.Px(BandTop + BandHeight / 2)}\" fill=\"#6b7280\">no attempts recorded</text></g>");
            return;
        }
        bool binned = samples.Count > MaxMarksPerProbe;
        List<Mark> marks = binned ? Bins(samples, x) : [.. samples.Select(s => One(s, x))];
        foreach (var group in marks.GroupBy(m => m.Outcome).OrderBy(g => g.Key))
        {
            string colour = group.Key == ErrorKind.None ? OkColour : FailureColours[group.Key];
            b.Append($"<path class=\"{(group.Key == ErrorKind.None ? "ok" : SamplesCsv.KindName(group.Key))}\" stroke=\"{colour}\" stroke-width=\"{(binned ? Fmt.Px(BinWidth) : "1.5")}\" d=\"");
            foreach (Mark m in group) b.Append($"M{Fmt.Px(m.X)} 0v{Fmt.Px(StripHeight)}");
            b.Append("\"/>");
        }
        LatencyLine(b, marks, y);
        b.Append("</g>");
    }

    private static void Grid(StringBuilder b, LatencyScale y)
    {
        var decades = y.Decades().ToList();
        int every = decades.Count > 4 ? 2 : 1;
        b.Append("<path stroke=\"#e1e4e8\" d=\"");
        foreach (double d in decades) b.Append($"M{Fmt.Px(Left)} {Fmt.Px(LatencyY(y, d))}h{Fmt.Px(PlotWidth)}");
        b.Append("\"/>");
        for (int i = decades.Count - 1; i >= 0; i -= every)
            b.Append($"<text x=\"{Fmt.Px(Left - 4)}\" y=\"{Fmt.Px(LatencyY(y, decades[i]) + 3)}\" text-anchor=\"end\" font-size=\"8\" fill=\"#6b7280\">{LatencyScale.Label(decades[i])}</text>");
    }

    /// <summary>Successful latencies joined while they follow one another; a failure breaks the line so an outage shows as a gap.</summary>
    private static void LatencyLine(StringBuilder b, List<Mark> marks, LatencyScale y)
    {
        var line = new StringBuilder();
        var dots = new StringBuilder();
        bool open = false;
        foreach (Mark m in marks)
        {
            // A segment starts with a zero-length piece ("l0 0"): with round caps a lone point still shows as a dot.
            if (m.OkLatencyMs is { } ok) { line.Append(open ? "L" : "M").Append($"{Fmt.Px(m.X)} {Fmt.Px(LatencyY(y, ok))}").Append(open ? "" : "l0 0"); open = true; }
            if (m.FailedLatencyMs is { } bad && bad > 0) dots.Append($"M{Fmt.Px(m.X)} {Fmt.Px(LatencyY(y, bad))}h0");
            if (m.Outcome != ErrorKind.None) open = false;
        }
        if (line.Length > 0) b.Append($"<path class=\"latency\" fill=\"none\" stroke=\"{LatencyColour}\" stroke-width=\"1.2\" stroke-linecap=\"round\" stroke-linejoin=\"round\" d=\"{line}\"/>");
        if (dots.Length > 0) b.Append($"<path class=\"failed-latency\" stroke=\"{FailureColours[ErrorKind.Refused]}\" stroke-width=\"2.5\" stroke-linecap=\"round\" d=\"{dots}\"/>");
    }

    private static double LatencyY(LatencyScale y, double ms) => BandTop + BandHeight * (1 - y.Fraction(ms));

    private static Mark One(ProbeSample s, TimeScale x) =>
        new(x.X(s.Start), Outcome(s), s.Ok ? s.Latency.TotalMilliseconds : null, s.Ok ? null : s.Latency.TotalMilliseconds);

    /// <summary>
    /// Merges attempts that fall in the same few pixels. A bin with any failure shows as failed (its most
    /// common kind), so thinning never hides an outage; latency is the bin's worst, for the same reason.
    /// </summary>
    private static List<Mark> Bins(List<ProbeSample> samples, TimeScale x) =>
        [.. samples.GroupBy(s => (int)((x.X(s.Start) - Left) / BinWidth)).OrderBy(g => g.Key).Select(g =>
        {
            var failures = g.Where(s => !s.Ok).ToList();
            ErrorKind outcome = failures.Count == 0 ? ErrorKind.None : failures.GroupBy(Outcome).MaxBy(k => k.Count())!.Key;
            double? okMax = g.Where(s => s.Ok).Select(s => (double?)s.Latency.TotalMilliseconds).Max();
            double? badMax = failures.Select(s => (double?)s.Latency.TotalMilliseconds).Max();
            return new Mark(Left + (g.Key + 0.5) * BinWidth, outcome, okMax, badMax);
        })];

    /// <summary>A failed attempt without a kind still counts as a failure: draw it as "other", never as ok.</summary>
    private static ErrorKind Outcome(ProbeSample s) => s.Ok ? ErrorKind.None : s.Error == ErrorKind.None ? ErrorKind.Other : s.Error;

    internal static string Esc(string text) => SecurityElement.Escape(text) ?? "";
}
