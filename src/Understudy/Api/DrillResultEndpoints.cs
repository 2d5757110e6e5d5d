using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Api.Auth;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Api;

/// <summary>
/// The body of <c>POST /api/drills</c>: a drill's verdict as its runner reports it, and report.json's figures
/// under report.json's names (optional, so runners that predate them are still heard).
/// </summary>
public sealed record DrillResultBody(
    string? Service, string? Name, string? Verdict, double? RtoMs, string? Report,
    double? RecoveryTimeMs = null, int? LostAcknowledgedWrites = null, double? AvailabilityPct = null,
    double? RtoTargetMs = null, double? RecoveryTargetMs = null);

/// <summary>
/// <c>POST /api/drills</c>: a drill runner reports its verdict, journaled as drill.completed with the caller
/// as actor, so a failed drill reaches the same people a failover does.
/// </summary>
public static class DrillResultEndpoints
{
    private const int MaxText = 500;
    /// <summary>An RTO or recovery time beyond a day is no measurement of a failover; the figure reaches alerts and the dashboard as given.</summary>
    private const double MaxRtoMs = 24 * 3600 * 1000;
    private static readonly string[] Verdicts = ["passed", "failed", "aborted"];

    public static void MapDrillResultApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/drills", RecordAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Operator));

    /// <summary>The first field of <paramref name="body"/> that may not be journaled as given, as a 400; null when none.</summary>
    internal static ProblemHttpResult? Check(DrillResultBody body)
    {
        string name = body.Name?.Trim() ?? "";
        if (name.Length == 0) return Problems.Bad("name: required: the drill's name");
        if (name.Length > MaxText) return Problems.Bad($"name: at most {MaxText} characters");
        if (body.Verdict is not { } verdict || !Verdicts.Contains(verdict)) return Problems.Bad($"verdict: expected passed, failed or aborted, got '{body.Verdict}'");
        if (name.Any(char.IsControl)) return Problems.Bad("name: control characters (NUL, newlines) are not allowed");
        if ((OutOfRange("rto_ms", body.RtoMs) ?? OutOfRange("recovery_time_ms", body.RecoveryTimeMs)
             ?? OutOfRange("rto_target_ms", body.RtoTargetMs) ?? OutOfRange("recovery_target_ms", body.RecoveryTargetMs)) is { } badTime) return badTime;
        if (body.LostAcknowledgedWrites is < 0)
            return Problems.Bad($"lost_acknowledged_writes: expected a count of writes, 0 or more, got {body.LostAcknowledgedWrites}");
        if (body.AvailabilityPct is { } pct && (!double.IsFinite(pct) || pct < 0 || pct > 100))
            return Problems.Bad($"availability_pct: expected a percentage from 0 to 100, got {pct}");
        if (body.Report?.Length > MaxText) return Problems.Bad($"report: at most {MaxText} characters");
        if (body.Report?.Any(char.IsControl) == true) return Problems.Bad("report: control characters (NUL, newlines) are not allowed");
        return null;
    }

    private static ProblemHttpResult? OutOfRange(string field, double? ms) => ms is { } v && (!double.IsFinite(v) || v < 0 || v > MaxRtoMs)
        ? Problems.Bad($"{field}: expected a number of milliseconds from 0 to {MaxRtoMs:0} (24 h), got {v}")
        : null;

    private static async Task<IResult> RecordAsync(HttpContext http, Controller controller, IJournal journal, CancellationToken ct)
    {
        var (body, bad) = await Problems.ReadBodyAsync<DrillResultBody>(http.Request, ct);
        if (bad is not null) return bad;
        if (Check(body!) is { } wrong) return wrong;
        string name = body!.Name!.Trim(), verdict = body.Verdict!;

        // A drill of no service is recorded all the same: it still goes to the global alert channels.
        string service = "";
        if (!string.IsNullOrEmpty(body.Service))
        {
            if (Problems.UnknownService(controller, body.Service, out _) is { } missing) return missing;
            service = body.Service;
        }
        var drill = new DrillCompleted(name, verdict, body.RtoMs, string.IsNullOrEmpty(body.Report) ? null : body.Report,
            body.RecoveryTimeMs, body.LostAcknowledgedWrites, body.AvailabilityPct, body.RtoTargetMs, body.RecoveryTargetMs)
        {
            Actor = ApiCaller.Name(http), Reason = $"drill '{name}' {verdict}" + (body.RtoMs is { } rto ? $" (RTO {rto:0} ms)" : ""),
        };
        // Its past is read before it is journaled, so that the run is never its own baseline.
        var earlier = (await journal.ReadAsync(new JournalQuery(service, EventTypes.DrillCompleted), ct)).OfType<DrillCompleted>().Where(d => d.Name == name).ToList();
        JournalEvent stored = await controller.NoteAsync(service, drill, ct);
        if (stored is DrillCompleted done && DrillRegression.Judge(done, earlier) is { } regressed)
            await controller.NoteAsync(service, regressed with { Actor = drill.Actor }, ct);
        return TypedResults.Created($"/api/events?type={EventTypes.DrillCompleted}", EventView.From(stored));
    }
}
