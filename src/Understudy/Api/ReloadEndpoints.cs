using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Hosting;

namespace Understudy.Api;

public sealed record ReloadView(bool Applied, string Digest, string Summary, IReadOnlyList<string> Errors);

/// <summary>
/// <c>POST /api/reload</c> (admin): read the config file again and apply it; 200 with what changed, or 422 with every
/// reason it was refused (nothing changed). Journaled either way, with the file's SHA-256.
/// </summary>
public static class ReloadEndpoints
{
    public static void MapReloadApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/reload", ReloadAsync).RequireAuthorization(Auth.ApiCaller.Policy(Core.Topology.ApiRole.Admin));

    private static async Task<Results<Ok<ReloadView>, ProblemHttpResult>> ReloadAsync(HttpContext http, ConfigReloader reloader, IHostApplicationLifetime lifetime)
    {
        // Once begun, a reload runs to its end even if the caller goes away: only the controller stopping interrupts it.
        ReloadOutcome done = await reloader.ReloadAsync(Auth.ApiCaller.Name(http), lifetime.ApplicationStopping);
        if (done.Applied) return TypedResults.Ok(new ReloadView(true, done.Digest, done.Summary, []));
        return TypedResults.Problem($"reload refused, nothing changed:\n  {string.Join("\n  ", done.Errors)}", statusCode: 422, title: "Reload refused",
            extensions: new Dictionary<string, object?> { ["errors"] = done.Errors, ["digest"] = done.Digest });
    }
}
