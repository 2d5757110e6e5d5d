using Understudy.Drills.Reports;

namespace Understudy.Incidents;

/// <summary>The site incident report as one self-contained page, like report.html: the Markdown report with its chart after the phases.</summary>
public static class SiteIncidentHtml
{
    public static string Render(SiteIncident incident)
    {
        (string head, string body) = SiteIncidentReport.RenderParts(incident);
        string verdict = incident.Outcome switch
        {
            SiteOutcome.Completed => "passed",
            SiteOutcome.UnderWay => "aborted",
            _ => "failed",
        };
        return HtmlReport.Page($"Site failover {incident.Operation} of {incident.Site} ({SiteIncidentJson.Outcome(incident.Outcome)})", $"verdict-{verdict}", head,
            SiteIncidentChart.Render(incident),
            "One lane per service: red from the start of its change to traffic switched, blue to the end of its request, a green tick where the move was verified, "
            + "orange for a rollback; dashed lines mark the operation's phases. Time runs from the approval (from the request when none was needed). "
            + "Hover a lane or a marker for details.",
            body);
    }
}
