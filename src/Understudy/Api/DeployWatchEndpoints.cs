using Understudy.Api.Auth;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Hosting;

namespace Understudy.Api;

/// <summary>The body of <c>POST /api/services/{s}/deploy-watch</c>: what a deploy watch did when its gate broke.</summary>
public sealed record DeployWatchBody(string? Breach, IReadOnlyList<string>? Command, bool? Succeeded, int? ExitCode, string? Outcome);

/// <summary>
/// <c>POST /api/services/{s}/deploy-watch</c>: <c>understudy watch --after-deploy</c> reports the rollback it ran, journaled
/// as deploy.rolled_back (informational, through the service's loop) with the caller as actor, and alerted.
/// </summary>
public static class DeployWatchEndpoints
{
    private const int MaxText = 500;
    private const int MaxArgs = 64;

    public static void MapDeployWatchApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/services/{service}/deploy-watch", RecordAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Operator));

    /// <summary>The first field of <paramref name="body"/> that may not be journaled as given, as a 400; null when none.</summary>
    internal static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Check(DeployWatchBody body)
    {
        if (string.IsNullOrWhiteSpace(body.Breach)) return Problems.Bad("breach: required: the rule of the gate that broke");
        if (Text("breach", body.Breach) is { } breach) return breach;
        if (body.Command is not { Count: > 0 and <= MaxArgs } command) return Problems.Bad($"command: required: the rollback's argv, 1 to {MaxArgs} strings");
        if (command.Select(a => Text("command", a ?? "")).FirstOrDefault(p => p is not null) is { } arg) return arg;
        if (body.Succeeded is null) return Problems.Bad("succeeded: required: whether the rollback command exited 0");
        if (string.IsNullOrWhiteSpace(body.Outcome)) return Problems.Bad("outcome: required: how the rollback ended, e.g. \"exited 0 after 120 ms\"");
        return Text("outcome", body.Outcome);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Text(string field, string value) =>
        value.Length > MaxText ? Problems.Bad($"{field}: at most {MaxText} characters")
        : value.Any(char.IsControl) ? Problems.Bad($"{field}: control characters (NUL, newlines) are not allowed")
        : null;

    private static async Task<IResult> RecordAsync(string service, HttpContext http, Controller controller, CancellationToken ct)
    {
        if (Problems.UnknownService(controller, service, out _) is { } missing) return missing;
        var (body, bad) = await Problems.ReadBodyAsync<DeployWatchBody>(http.Request, ct);
        if (bad is not null) return bad;
        if (Check(body!) is { } wrong) return wrong;
        bool ok = body!.Succeeded!.Value;
        var record = new DeployRolledBack(body.Breach!, [.. body.Command!], ok, body.ExitCode, body.Outcome!)
        {
            Actor = ApiCaller.Name(http),
            Reason = ok ? $"deploy rolled back: {body.Breach}" : $"deploy rollback failed ({body.Outcome}): {body.Breach}",
        };
        JournalEvent stored = await controller.NoteAsync(service, record, ct);
        return TypedResults.Created($"/api/events?service={Uri.EscapeDataString(service)}&type={EventTypes.DeployRolledBack}", EventView.From(stored));
    }
}
