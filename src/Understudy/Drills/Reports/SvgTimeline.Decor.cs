using System.Text;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

// What surrounds the lanes: the outage band, the DNS tails, the event markers, the time axis and the legend.
public static partial class SvgTimeline
{
    internal const string FaultColour = "#d62728", RecoveredColour = "#2e9d4a", EventColour = "#6b7280", DnsTailColour = "#7c3aed";

    /// <summary>A vertical line across the lanes at <see cref="At"/>, labelled above them; <see cref="Kind"/> is its data-marker.</summary>
    internal readonly record struct Marker(DateTimeOffset At, string Kind, string Label, string Tooltip, string Colour, string Dash);

    /// <summary>
    /// A faint tint from the fault to recovery (or the end), so the outage reads before any detail. Drawn over
    /// the lanes, whose backgrounds would hide it, and transparent to the pointer so lane tooltips still show.
    /// </summary>
    private static void Outage(StringBuilder b, DrillReport r, TimeScale x, double bottom)
    {
        if (r.FaultAt is not { } fault) return;
        double from = x.X(fault), to = x.X(r.RecoveredAt ?? r.EndedAt);
        b.Append($"<rect class=\"outage\" x=\"{Fmt.Px(from)}\" y=\"{Fmt.Px(Top)}\" width=\"{Fmt.Px(Math.Max(to - from, 1))}\" height=\"{Fmt.Px(bottom - Top)}\" fill=\"{FaultColour}\" fill-opacity=\"0.08\" pointer-events=\"none\"/>");
    }

    /// <summary>
    /// Over each lane whose probe has a DNS tail, a band from the switch to the last attempt that still reached the old
    /// address: how long clients behind a caching resolver trailed the controller. Nothing when no attempt did.
    /// </summary>
    private static void DnsTails(StringBuilder b, DrillReport r, List<string> lanes, TimeScale x)
    {
        foreach (ProbeResult p in r.Probes)
        {
            if (p.DnsTail is not { LastOldAddressAt: { } last, TailMs: > 0 and var ms } tail) continue;
            double top = Top + lanes.IndexOf(p.Name) * LaneHeight, from = x.X(tail.FromAt), width = Math.Max(x.X(last) - from, 1);
            string label = $"DNS tail {Fmt.Seconds(ms)}";
            string tooltip = $"{p.Name}: clients resolving through {tail.Resolver} reached the old address {tail.OldAddress} until {Fmt.Clock(last)}, "
                           + $"{Fmt.Seconds(ms)} after {(tail.From == DnsTailCalculation.FromSwitch ? "traffic.switched" : "the fault")} ({Fmt.Int(tail.AttemptsToOldAddressAfterSwitch)} attempts)";
            b.Append($"<g class=\"dns-tail\" data-probe=\"{Esc(p.Name)}\" pointer-events=\"none\"><title>{Esc(tooltip)}</title>");
            b.Append($"<rect x=\"{Fmt.Px(from)}\" y=\"{Fmt.Px(top)}\" width=\"{Fmt.Px(width)}\" height=\"{Fmt.Px(BandTop + BandHeight)}\" fill=\"{DnsTailColour}\" fill-opacity=\"0.12\" "
                   + $"stroke=\"{DnsTailColour}\" stroke-dasharray=\"3 2\"/>");
            b.Append($"<text x=\"{Fmt.Px(from + 3)}\" y=\"{Fmt.Px(top + BandTop + 10)}\" fill=\"{DnsTailColour}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{Esc(label)}</text></g>");
        }
    }

    private static void Markers(StringBuilder b, DrillReport r, TimeScale x, double bottom)
    {
        var markers = new List<Marker>();
        if (r.FaultAt is { } f)
        {
            string step = r.Steps.FirstOrDefault(s => s.Phase == "fault")?.Step is { } s ? $": {s}" : "";
            markers.Add(new(f, "fault", "fault", $"fault injected at {Fmt.Clock(f)} ({Fmt.Since(f, r.StartedAt)}){step}", FaultColour, "5 3"));
        }
        if (r.RecoveredAt is { } rec)
            markers.Add(new(rec, "recovered", "recovered", $"clients recovered at {Fmt.Clock(rec)} ({Fmt.Since(rec, r.StartedAt)})", RecoveredColour, "5 3"));
        foreach (ControllerEventRecord e in r.Events)
            markers.Add(new(e.Time, "event", e.Type,
                $"{e.Type} at {Fmt.Clock(e.Time)} ({Fmt.Since(e.Time, r.StartedAt)}){(e.Member is null ? "" : $", member {e.Member}")}, epoch {e.Epoch}, by {e.Actor}: {e.Reason}",
                EventColour, "2 2"));
        Draw(b, markers, x, bottom);
    }

    /// <summary>The markers' lines, then their labels; the fault and recovery kinds are placed first, events last.</summary>
    internal static void Draw(StringBuilder b, List<Marker> markers, TimeScale x, double bottom)
    {
        // Lines first, labels over them with a white halo, so a line never strikes through a label.
        foreach (Marker m in markers)
        {
            double at = x.X(m.At);
            b.Append($"<g class=\"marker\" data-marker=\"{m.Kind}\"><title>{Esc(m.Tooltip)}</title>");
            b.Append($"<path d=\"M{Fmt.Px(at)} 8V{Fmt.Px(bottom)}\" stroke=\"{m.Colour}\" stroke-width=\"1.2\" stroke-dasharray=\"{m.Dash}\"/></g>");
        }
        Labels(b, markers, x);
    }

    /// <summary>
    /// Each label takes the first row where it overlaps no other: failover events come milliseconds apart,
    /// and stacked labels stay readable where side-by-side ones would not. The fault and recovery are placed
    /// first; an event label that finds no room is left out (its line, tooltip and table row remain).
    /// </summary>
    private static void Labels(StringBuilder b, List<Marker> markers, TimeScale x)
    {
        var rows = Enumerable.Range(0, LabelRows).Select(_ => new List<(double From, double To)>()).ToArray();
        b.Append("<g class=\"marker-labels\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">");
        foreach (Marker m in markers.OrderBy(m => m.Kind == "event").ThenBy(m => m.At))
        {
            double at = x.X(m.At), width = m.Label.Length * 5.6 + 4;
            // Near the right edge a label runs leftwards from its line instead of off the chart.
            bool flip = at + 3 + width > Width;
            (double from, double to) = flip ? (at - 3 - width, at) : (at, at + 3 + width);
            int row = Array.FindIndex(rows, r => r.All(used => to <= used.From || from >= used.To));
            if (row < 0) continue;
            rows[row].Add((from, to));
            double y = 8 + row * LabelRowHeight + 9;
            b.Append($"<text x=\"{Fmt.Px(flip ? at - 3 : at + 3)}\" y=\"{Fmt.Px(y)}\" fill=\"{m.Colour}\"{(flip ? " text-anchor=\"end\"" : "")}>{Esc(m.Label)}<title>{Esc(m.Tooltip)}</title></text>");
        }
        b.Append("</g>");
    }

    internal static void Axis(StringBuilder b, TimeScale x, double bottom, string origin)
    {
        double y = bottom + 4;
        b.Append($"<g class=\"axis\"><path stroke=\"#374151\" d=\"M{Fmt.Px(Left)} {Fmt.Px(y)}h{Fmt.Px(PlotWidth)}");
        var ticks = x.Ticks().ToList();
        foreach ((double ms, _) in ticks) b.Append($"M{Fmt.Px(x.X(ms))} {Fmt.Px(y)}v4");
        b.Append("\"/>");
        foreach ((double ms, string label) in ticks)
            b.Append($"<text x=\"{Fmt.Px(x.X(ms))}\" y=\"{Fmt.Px(y + 15)}\" text-anchor=\"middle\">{label}</text>");
        b.Append($"<text x=\"{Fmt.Px(Left - 16)}\" y=\"{Fmt.Px(y + 15)}\" text-anchor=\"end\" fill=\"#6b7280\">{Esc(origin)}</text></g>");
    }

    private static List<(string Swatch, string Label)> LegendItems(IReadOnlyList<ErrorKind> failureKinds, bool dnsTail)
    {
        var items = new List<(string Swatch, string Label)> { (Box(OkColour), "ok") };
        items.AddRange(failureKinds.Select(k => (Box(FailureColours[k]), SamplesCsv.KindName(k))));
        items.Add((Line(LatencyColour, ""), "latency (log scale)"));
        items.Add(("<path d=\"M6 -3h0\" stroke=\"" + FailureColours[ErrorKind.Refused] + "\" stroke-width=\"2.5\" stroke-linecap=\"round\"/>", "latency of a failed attempt"));
        items.Add((Line(FaultColour, "5 3"), "fault"));
        items.Add((Line(RecoveredColour, "5 3"), "recovered"));
        items.Add((Line(EventColour, "2 2"), "controller event"));
        items.Add(($"<rect x=\"0\" y=\"-8\" width=\"12\" height=\"10\" fill=\"{FaultColour}\" fill-opacity=\"0.12\"/>", "fault to recovery"));
        if (dnsTail) items.Add(($"<rect x=\"0\" y=\"-8\" width=\"12\" height=\"10\" fill=\"{DnsTailColour}\" fill-opacity=\"0.12\" stroke=\"{DnsTailColour}\"/>", "DNS tail: old address still reached"));
        return items;
    }

    /// <summary>Draws the legend from <paramref name="top"/>, wrapping to more rows as needed; returns the chart's full height.</summary>
    internal static double Legend(StringBuilder b, IEnumerable<(string Swatch, string Label)> items, double top)
    {
        b.Append("<g class=\"legend\">");
        double x = Left, y = top;
        foreach ((string swatch, string label) in items)
        {
            double width = 18 + label.Length * 5.6 + 16;
            if (x + width > Width - Right && x > Left) { x = Left; y += 18; }
            b.Append($"<g transform=\"translate({Fmt.Px(x)},{Fmt.Px(y)})\">{swatch}<text x=\"18\" y=\"0\">{Esc(label)}</text></g>");
            x += width;
        }
        b.Append("</g>");
        return y + 12;
    }

    internal static string Box(string colour) => $"<rect x=\"0\" y=\"-8\" width=\"12\" height=\"10\" fill=\"{colour}\"/>";

    internal static string Line(string colour, string dash) =>
        $"<path d=\"M0 -3h12\" stroke=\"{colour}\" stroke-width=\"1.5\"{(dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : "")}/>";
}
