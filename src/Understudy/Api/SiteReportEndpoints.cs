using Understudy.Api.Auth;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Incidents;
using Understudy.Journal;
using Understudy.Sites;

namespace Understudy.Api;

/// <summary>
/// <c>GET /api/sites/operations/{id}/report?format=md|html|json</c>: the record of a site failover from the journal
/// (so it outlives the controller that ran it, unlike <c>/api/sites/operations/{id}</c>).
/// </summary>
public static class SiteReportEndpoints
{
    public static void MapSiteReportApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/sites/operations/{id}/report", ReportAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));

    private static async Task<IResult> ReportAsync(string id, string? format, IJournal journal, CancellationToken ct)
    {
        format = string.IsNullOrEmpty(format) ? SiteReportFormat.Markdown : format;
        if (!SiteReportFormat.IsKnown(format)) return Problems.Bad(SiteReportFormat.Expected("format", format));
        IReadOnlyList<JournalEvent> events = await SiteOperationEvents.ReadAsync(journal.ReadAsync, id, ct);
        if (SiteIncidentTimeline.Find(id, events) is not { } incident) return Problems.NotFound($"id: {SiteIncidentTimeline.NotFound(id, events)}");
        var (text, contentType) = SiteReportFormat.Render(incident, format);
        return Results.Text(text, contentType);
    }
}
