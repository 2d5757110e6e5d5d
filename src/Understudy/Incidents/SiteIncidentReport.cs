using System.Text;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Reports;

namespace Understudy.Incidents;

/// <summary>
/// The record of one site failover in the shape of a drill report: title with the outcome, the runbooks' six phases,
/// what happened to each service, then every event of the operation across services. A pure function of the incident.
/// </summary>
public static class SiteIncidentReport
{
    public const string SinceHeader = "since request";

    public static string Render(SiteIncident incident)
    {
        (string head, string body) = RenderParts(incident);
        return head + body;
    }

    /// <summary>The title and phases, then the rest: the HTML form puts its timeline chart between the two.</summary>
    internal static (string Head, string Body) RenderParts(SiteIncident i)
    {
        var head = new StringBuilder();
        Title(head, i);
        Md.Heading(head, 2, "Phases");
        JournalTables.Phases(head, PhaseRecords(i), SinceHeader);
        Md.Para(head, "Each phase is timed to the event that ends it. The plan is validated when it is requested (one that cannot run is refused, "
            + "and not journaled) and again as the first service starts to move, which the last approval sets off at once: without a journaled "
            + "approval, that start marks it.");
        var body = new StringBuilder();
        Services(body, i);
        Timeline(body, i);
        return (head.ToString(), body.ToString().TrimEnd('\n') + "\n");
    }

    /// <summary>The phases timed from the request; each is labelled with the event that marks its end.</summary>
    public static IReadOnlyList<PhaseRecord> PhaseRecords(SiteIncident i) =>
        PhaseBreakdown.Chain(i.Origin, i.Phases.Select(m => (m.Event is { } e ? $"{m.Name} ({e.Type})" : m.Name, m.Event?.Time)));

    public static string OutcomeText(SiteIncident i) => i.Outcome switch
    {
        SiteOutcome.Completed => "✅ completed",
        SiteOutcome.Rejected => "❌ rejected, nothing moved",
        SiteOutcome.Expired => "❌ expired, nothing moved",
        SiteOutcome.Failed when !i.Services.Any(s => s.Moved is not null) => "❌ failed, nothing had moved",
        SiteOutcome.Failed => i.FullyRolledBack ? "❌ failed, rolled back" : "❌ failed, not all rolled back",
        _ => "⚠️ under way",
    };

    private static void Title(StringBuilder b, SiteIncident i)
    {
        Md.Heading(b, 1, $"Site failover {Md.Text(i.Operation)} of {Md.Text(i.Site)} — {OutcomeText(i)}");
        b.Append($"- **When**: {Fmt.Day(i.Origin)}, {Fmt.Clock(i.Origin)} → {Fmt.Clock(i.Last)} UTC ({Fmt.Seconds((i.Last - i.Origin).TotalMilliseconds)})\n");
        string approvers = i.ApprovedBy.Count > 0 ? string.Join(", ", i.ApprovedBy.Select(a => $"**{Md.Text(a)}**"))
            : i.ApprovalsNeeded == 0 ? "none needed" : "none journaled";
        b.Append($"- **Requested by**: **{Md.Text(i.RequestedBy)}**; **approvals needed**: {Fmt.Int(i.ApprovalsNeeded)}; **approved by**: {approvers}\n");
        b.Append($"- **Services**: {string.Join(", ", i.Services.Select(s => Md.Text(s.Service)))}\n");
        b.Append($"- **Outcome**: {OutcomeText(i)}: {(i.Ended is { } end ? Md.Text(end.Reason) : $"the journal's last event of it is at {Fmt.Clock(i.Last)}")}\n\n");
        if (i.Outcome == SiteOutcome.UnderWay)
            Md.Para(b, "**The site failover is still under way**: this report shows what the journal holds so far. Run it again once it has ended.");
    }

    private static void Services(StringBuilder b, SiteIncident i)
    {
        Md.Heading(b, 2, "Services");
        Md.Para(b, "Each service in the site's order. *Took* is the controller's estimate of the service's outage, from the start of its switchover or failover "
            + "to traffic.switched: new connections were held meanwhile, and clients' own timeouts and retries add to it (a drill measures what clients see).");
        Md.Table(b, ["#", "service", "from → to", "kind", "request", "started", "switched", "verified", "took", "rolled back"],
            i.Services.Select(s => (IReadOnlyList<string>)[Fmt.Int(s.Order), Md.Text(s.Service), $"{Md.Text(s.From ?? "—")} → {Md.Text(s.To ?? "—")}",
                Md.Text(s.Kind ?? "—"), Md.Text(s.Request ?? "—"), Since(s.Started, i), Since(s.Switched, i), Verified(s, i), Fmt.Ms(s.OutageMs), RolledBack(s)]));
    }

    private static string Since(JournalEvent? e, SiteIncident i) => e is null ? "—" : Fmt.Since(e.Time, i.Origin);

    private static string Verified(SiteServiceRecord s, SiteIncident i) =>
        s.Moved is { } m ? $"✅ {Fmt.Since(m.Time, i.Origin)}" : s.StoppedHere is not null ? "❌ stopped here" : "—";

    private static string RolledBack(SiteServiceRecord s) => s.RolledBack switch
    {
        null => "—",
        { Succeeded: true } r => $"✅ back on {Md.Text(r.To)}{(s.RollbackRequest is { } id ? $" ({Md.Text(id)})" : "")}",
        var r => $"❌ {Md.Text(r.Reason)}",
    };

    private static void Timeline(StringBuilder b, SiteIncident i)
    {
        Md.Heading(b, 2, "Timeline");
        Md.Para(b, "Every event of the operation, and each involved service's events while a request of the operation was open, across services.");
        Md.Table(b, ["time (UTC)", SinceHeader, "service", "type", "member", "epoch", "actor", "reason"],
            i.Timeline.Select(e => (IReadOnlyList<string>)[Fmt.Clock(e.Time), Fmt.Since(e.Time, i.Origin), Md.Text(e.Service), Md.Text(e.Type),
                Md.Text(e.Member ?? "—"), Fmt.Int(e.Epoch), Md.Text(e.Actor), Md.Text(e.Reason)]));
    }
}
