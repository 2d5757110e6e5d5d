namespace Understudy.Incidents;

/// <summary>The forms of the site incident report that the CLI's <c>--format</c> and the API's <c>format</c> name.</summary>
public static class SiteReportFormat
{
    public const string Markdown = "md", Html = "html", Json = "json";

    public static readonly IReadOnlyList<string> All = [Markdown, Html, Json];

    public static bool IsKnown(string format) => All.Contains(format);

    /// <summary>The report in <paramref name="format"/> (one of <see cref="All"/>) and its media type.</summary>
    public static (string Text, string ContentType) Render(SiteIncident incident, string format) => format switch
    {
        Html => (SiteIncidentHtml.Render(incident), "text/html; charset=utf-8"),
        Json => (SiteIncidentJson.Write(incident), "application/json; charset=utf-8"),
        _ => (SiteIncidentReport.Render(incident), "text/markdown; charset=utf-8"),
    };

    /// <summary>"format: expected md, html or json, got 'pdf'".</summary>
    public static string Expected(string name, string? got) => $"{name}: expected md, html or json, got '{got}'";
}
