using Understudy.Incidents;
using Understudy.Journal;
using Understudy.Sites;

namespace Understudy.Cli;

// incident --site-operation ID: a site failover's report, rendered by the controller (--api) or from the config's journal.
internal static partial class IncidentCommand
{
    /// <summary>The report in <paramref name="format"/>; null after saying what is wrong with the input.</summary>
    /// <exception cref="ApiException">The controller did not answer or refused; a 404 names the operations it knows.</exception>
    private static async Task<string?> SiteReportAsync(Source source, string operation, string format, TextWriter stderr, CancellationToken ct)
    {
        if (source.Api is not null)
        {
            if (Client(source, stderr) is not { } client) return null;
            using (client)
                return await client.GetTextAsync(ApiClient.WithQuery($"api/sites/operations/{Uri.EscapeDataString(operation)}/report", ("format", format)), ct);
        }
        if (Spec(source, stderr) is not { } spec) return null;
        var events = await SiteOperationEvents.ReadAsync(SqliteJournal.OpenReadOnly(spec.Controller.Journal).ReadAsync, operation, ct);
        if (SiteIncidentTimeline.Find(operation, events) is not { } incident)
        {
            Say(stderr, CliApp.BadInput, SiteIncidentTimeline.NotFound(operation, events));
            return null;
        }
        return SiteReportFormat.Render(incident, format).Text;
    }
}
