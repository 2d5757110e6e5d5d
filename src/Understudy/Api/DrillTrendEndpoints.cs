using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Api.Auth;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Core.Journal;
using Understudy.Drills.Reports;
using Understudy.Journal;

namespace Understudy.Api;

/// <summary>One run of a trend under report.json's names, and whether it was judged a regression.</summary>
public sealed record TrendRunView(DateTimeOffset Time, string Verdict, double? RtoMs, double? RecoveryTimeMs, int? LostAcknowledgedWrites,
    double? AvailabilityPct, bool Regressed, string? Report);

/// <summary>A drill's recent runs, its targets, and the chart of them as SVG (what the dashboard shows).</summary>
public sealed record DrillTrendView(string Service, string Name, double? RtoTargetMs, double? RecoveryTargetMs, IReadOnlyList<TrendRunView> Runs, string Svg);

public sealed record DrillTrendsPage(IReadOnlyList<DrillTrendView> Trends);

/// <summary><c>GET /api/drills/trends</c>: per drill that reported to this controller, its last runs against its targets, from the journal.</summary>
public static class DrillTrendEndpoints
{
    private const int DefaultRuns = 30, MaxRuns = 200;

    public static void MapDrillTrendApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/drills/trends", GetAsync).RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));

    private static async Task<Results<Ok<DrillTrendsPage>, ProblemHttpResult>> GetAsync(IJournal journal, string? service, string? runs, CancellationToken ct)
    {
        int take = DefaultRuns;
        if (!string.IsNullOrEmpty(runs) && (!int.TryParse(runs, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxRuns))
            return TypedResults.Problem($"runs: expected 1 to {MaxRuns}, got {runs}", statusCode: 400, title: "Bad query");
        // Both types in one read: a regression is matched to the run journaled just before it.
        var events = await journal.ReadAsync(new JournalQuery(string.IsNullOrEmpty(service) ? null : service, TypePrefix: "drill."), ct);
        var trends = DrillTrend.From(events.Where(e => e.Type is EventTypes.DrillCompleted or EventTypes.DrillRegressed), take);
        return TypedResults.Ok(new DrillTrendsPage([.. trends.Select(View)]));
    }

    private static DrillTrendView View(DrillTrend t) => new(t.Service, t.Name, t.RtoTargetMs, t.RecoveryTargetMs,
        [.. t.Runs.Select(r => new TrendRunView(r.Run.Time, r.Run.Verdict, r.Run.RtoMs, r.Run.RecoveryTimeMs, r.Run.LostAcknowledgedWrites,
            r.Run.AvailabilityPct, r.Regression is not null, r.Run.Report))],
        DrillTrendChart.Render(t));
}
