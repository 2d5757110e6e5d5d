using System.Text;
using Understudy.Core.Journal;
using Understudy.Drills.Reports;
using static Understudy.Drills.Reports.SvgTimeline;

namespace Understudy.Incidents;

/// <summary>
/// The site incident's timeline chart, in the drill chart's frame (its time axis, markers, labels and legend): one
/// lane per service (<c>&lt;g class="service" data-service="NAME"&gt;</c>) with a bar from the start of its change to
/// traffic.switched (the outage estimate), then to the request's end, a tick where the move was verified, and the
/// rollback's change likewise; a marker per phase of the operation.
/// </summary>
public static class SiteIncidentChart
{
    private const double LaneHeight = 30, BarTop = 8, BarHeight = 14;
    private const string OutageColour = "#d62728", ChangeColour = "#1f4e9c", VerifiedColour = "#2e9d4a", RollbackColour = "#f28e2b";

    private static readonly Dictionary<string, string> PhaseColours = new()
    {
        ["detect"] = "#374151", ["approve"] = "#8250df", ["execute"] = ChangeColour, ["verify"] = VerifiedColour, ["roll back"] = RollbackColour,
    };

    public static string Render(SiteIncident i)
    {
        // From the approval when there was one: waiting for people can take an hour, and would squeeze the changes into a sliver.
        DateTimeOffset from = i.Phases.Single(p => p.Name == "approve").Event?.Time ?? i.Origin;
        var x = new TimeScale(from, Math.Max(1, (i.Last - from).TotalMilliseconds), Left, PlotWidth);
        var body = new StringBuilder();
        for (int n = 0; n < i.Services.Count; n++) Lane(body, i, i.Services[n], Top + n * LaneHeight, x);
        double bottom = Top + i.Services.Count * LaneHeight;
        // validate shares the request's instant: one marker for both.
        Draw(body, [.. i.Phases.Where(p => p.Event is not null && p.Event.Time >= from && PhaseColours.ContainsKey(p.Name)).Select(p => new Marker(p.Event!.Time, Slug(p.Name), p.Name,
            $"{p.Name}: {p.Event!.Type} at {Fmt.Clock(p.Event.Time)} ({Fmt.Since(p.Event.Time, i.Origin)}): {p.Event.Reason}", PhaseColours[p.Name], "5 3"))], x, bottom);
        Axis(body, x, bottom, from == i.Origin ? SiteIncidentReport.SinceHeader : "since approval");
        double height = Legend(body,
        [
            (Box(OutageColour), "start of change to traffic switched"), (Box(ChangeColour), "to the request's end"), (Line(VerifiedColour, ""), "verified"),
            (Box(RollbackColour), "rollback"), (Line(EventColour, "5 3"), "phase of the operation"),
        ], bottom + 44);
        return Svg(body, height, $"Each service of site failover {i.Operation} of {i.Site} over time, with the operation's phases");
    }

    private static void Lane(StringBuilder b, SiteIncident i, SiteServiceRecord s, double top, TimeScale x)
    {
        b.Append($"<g class=\"service\" data-service=\"{Esc(s.Service)}\" transform=\"translate(0,{Fmt.Px(top)})\">");
        b.Append($"<title>{Esc(Tooltip(s, i))}</title>");
        b.Append($"<text x=\"{Fmt.Px(Left - 8)}\" y=\"{Fmt.Px(BarTop + 10)}\" text-anchor=\"end\" font-weight=\"600\">{Esc($"{s.Order}. {s.Service}")}</text>");
        b.Append($"<rect x=\"{Fmt.Px(Left)}\" y=\"{Fmt.Px(BarTop)}\" width=\"{Fmt.Px(PlotWidth)}\" height=\"{Fmt.Px(BarHeight)}\" fill=\"#eef0f3\"/>");
        Span(b, x, s.Started, s.Switched, OutageColour, "outage");
        Span(b, x, s.Switched ?? s.Started, s.RequestEnded, ChangeColour, "change");
        if (s.RollbackRequest is { } back && i.Timeline.FirstOrDefault(e => (e as IRequestEvent)?.RequestId == back && e.Service == s.Service) is { } from)
            Span(b, x, from, s.RolledBack, RollbackColour, "rollback");
        if (s.Moved is { } m)
            b.Append($"<path class=\"verified\" d=\"M{Fmt.Px(x.X(m.Time))} {Fmt.Px(BarTop - 3)}v{Fmt.Px(BarHeight + 6)}\" stroke=\"{VerifiedColour}\" stroke-width=\"2\"/>");
        if (s.StoppedHere is { } stop)
            b.Append($"<text class=\"stopped\" x=\"{Fmt.Px(x.X(stop.Time) + 4)}\" y=\"{Fmt.Px(BarTop + 11)}\" fill=\"{OutageColour}\">stopped here</text>");
        b.Append("</g>");
    }

    private static void Span(StringBuilder b, TimeScale x, JournalEvent? from, JournalEvent? to, string colour, string kind)
    {
        if (from is null || to is null) return;
        double left = x.X(from.Time), width = Math.Max(x.X(to.Time) - left, 2);
        b.Append($"<rect class=\"{kind}\" x=\"{Fmt.Px(left)}\" y=\"{Fmt.Px(BarTop)}\" width=\"{Fmt.Px(width)}\" height=\"{Fmt.Px(BarHeight)}\" fill=\"{colour}\"/>");
    }

    private static string Tooltip(SiteServiceRecord s, SiteIncident i) =>
        $"{s.Service}: {s.Kind ?? "no change started"}{(s.From is null ? "" : $" from {s.From}")}{(s.To is null ? "" : $" to {s.To}")}"
        + (s.Request is null ? "" : $" (request {s.Request})")
        + (s.OutageMs is { } ms ? $"; traffic switched {Fmt.Ms(ms)} after the change began" : "")
        + (s.Moved is { } m ? $"; verified at {Fmt.Since(m.Time, i.Origin)}" : s.StoppedHere is not null ? "; the operation stopped here" : "")
        + (s.RolledBack is { } r ? $"; {(r.Succeeded ? "rolled back to " + r.To : "not rolled back: " + r.Reason)}" : "");

    private static string Slug(string phase) => phase.Split(' ')[0];
}
