using Understudy.Api.Auth;
using Understudy.Core.Topology;
using Understudy.Drills.Reports;

namespace Understudy.Api;

/// <summary>
/// <c>GET /api/drills</c>: the report folders under <c>controller.drills_dir</c>, newest first; and
/// <c>GET /drills/{folder}/{file}</c>: one of a folder's four report files. Both need a viewer's token like
/// the rest of the API, so the dashboard fetches a report with its token rather than linking to it.
/// </summary>
public static partial class DrillEndpoints
{
    /// <summary>Served files run nothing and load nothing, whoever put them there: report.html needs only its inline styles.</summary>
    private const string ReportPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'";

    public static void MapDrillApi(this IEndpointRouteBuilder app)
    {
        string viewer = ApiCaller.Policy(ApiRole.Viewer);
        app.MapGet("/api/drills", List).RequireAuthorization(viewer);
        app.MapGet("/drills/{folder}/{file}", Serve).RequireAuthorization(viewer);
    }

    private static IResult List(ReportIndex index, ILogger<ReportIndex> logger)
    {
        try
        {
            return TypedResults.Ok(index.List());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The exception names the folder on this machine: the log says it, the answer does not.
            Log.Unlisted(logger, e);
            return TypedResults.Problem("controller.drills_dir: cannot list it; the controller's log says why", statusCode: 500, title: "Drill reports unreadable");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "controller.drills_dir cannot be listed")]
        public static partial void Unlisted(ILogger logger, Exception e);
    }

    private static IResult Serve(string folder, string file, ReportIndex index, HttpResponse response)
    {
        if (index.Find(folder, file) is not { } found)
            return Problems.NotFound($"no {file} in a drill report folder '{folder}' under controller.drills_dir (files: report.html, report.md, report.json, samples.csv)");
        response.Headers.ContentSecurityPolicy = ReportPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.PhysicalFile(found.Path, found.File switch
        {
            ReportFile.Html => "text/html; charset=utf-8",
            ReportFile.Markdown => "text/markdown; charset=utf-8",
            ReportFile.Json => "application/json; charset=utf-8",
            _ => "text/csv; charset=utf-8",
        });
    }
}
