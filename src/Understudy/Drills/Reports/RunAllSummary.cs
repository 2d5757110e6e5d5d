using System.Text;
using System.Text.Json;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>One drill of a <c>drill run-all</c>: its report's figures when it ran; <see cref="Report"/> its report folder.</summary>
public sealed record RunAllEntry(string File, string Name, string Verdict, double? RtoMs = null, double? RecoveryTimeMs = null,
    int? LostAcknowledgedWrites = null, double? AvailabilityPct = null, string? Report = null)
{
    public const string NotRun = "not_run";

    /// <summary>The linked controller refused to start it (pre-flight, drill lock): the ladder stops there.</summary>
    public const string NotStarted = "not_started";

    public static RunAllEntry From(string file, DrillReport r, string? folder) =>
        new(file, r.Name, Fmt.Lower(r.Verdict), r.RtoMs, r.RecoveryTimeMs, r.LostAcknowledgedWrites, r.AvailabilityPct, folder);
}

/// <summary>
/// The one report of a <c>drill run-all</c> (seed 004's escalation ladder): each drill in order with its verdict
/// and figures, where the ladder stopped and why, and the drills it never reached. Markdown for people and JSON
/// (report.json's conventions and field names) for tools, written beside the drills' own report folders.
/// </summary>
public sealed record RunAllSummary(string Directory, DateTimeOffset StartedAt, DateTimeOffset EndedAt, IReadOnlyList<RunAllEntry> Drills)
{
    /// <summary>passed when every drill passed; otherwise the verdict of the drill it stopped at.</summary>
    public string Result => StoppedAt?.Verdict ?? "passed";

    /// <summary>The last drill that ran, when the ladder did not get through (one did not pass, or one's report could not be written).</summary>
    public RunAllEntry? StoppedAt => Drills.Any(d => d.Verdict is not "passed") ? Drills.Last(d => d.Verdict != RunAllEntry.NotRun) : null;

    public string Markdown()
    {
        var b = new StringBuilder();
        Md.Heading(b, 1, $"Drill ladder: {Md.Text(Path.GetFileName(Directory.TrimEnd('/')))}");
        int ran = Drills.Count(d => d.Verdict != RunAllEntry.NotRun);
        string outcome = StoppedAt is { } stop
            ? $"**Stopped at {Md.Text(stop.Name)}** (`{Md.Text(Path.GetFileName(stop.File))}`): {stop.Verdict}. {Drills.Count - ran} drill(s) after it not run."
            : $"**All {Drills.Count} drills passed.**";
        Md.Para(b, $"{outcome} Started {Fmt.Iso(StartedAt)}, ended {Fmt.Iso(EndedAt)} ({Fmt.Seconds((EndedAt - StartedAt).TotalMilliseconds)}); drills from `{Md.Text(Directory)}` in file-name order.");
        Md.Table(b, ["#", "drill", "file", "verdict", "RTO", "recovery", "lost writes", "availability", "report"],
            Drills.Select((d, i) => (IReadOnlyList<string>)[
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Md.Text(d.Name), Md.Inline(Path.GetFileName(d.File)), Verdict(d.Verdict),
                Fmt.Ms(d.RtoMs), Fmt.Ms(d.RecoveryTimeMs), Fmt.Int(d.LostAcknowledgedWrites), Fmt.Pct(d.AvailabilityPct),
                d.Report is null ? "—" : Md.Inline(Path.Combine(d.Report, "report.md"))]));
        return b.ToString();
    }

    public string Json() => JsonSerializer.Serialize(new
    {
        schema_version = ReportJson.SchemaVersion,
        directory = Directory,
        started_at = StartedAt,
        ended_at = EndedAt,
        result = Result,
        stopped_at = StoppedAt?.File,
        drills = Drills,
    }, ReportJson.Options) + "\n";

    /// <summary>Writes DAY-run-all-SLUG.md and .json under <paramref name="parent"/> (-2, -3… when taken); returns the Markdown's path.</summary>
    public async Task<string> WriteAsync(string parent)
    {
        System.IO.Directory.CreateDirectory(parent);
        string stem = $"{Fmt.Day(StartedAt)}-run-all-{ReportFolder.Slug(Path.GetFileName(Directory.TrimEnd('/')))}";
        string path = Path.Combine(parent, stem);
        for (int n = 2; File.Exists(path + ".md") || File.Exists(path + ".json"); n++) path = Path.Combine(parent, $"{stem}-{n}");
        await ReportFolder.WriteAtomicallyAsync(path + ".json", w => w.WriteAsync(Json()), CancellationToken.None);
        await ReportFolder.WriteAtomicallyAsync(path + ".md", w => w.WriteAsync(Markdown()), CancellationToken.None);
        return path + ".md";
    }

    private static string Verdict(string v) => v switch
    {
        "passed" => "✅ passed",
        "failed" => "❌ failed",
        "aborted" => "⚠️ aborted",
        RunAllEntry.NotStarted => "⛔ not started",
        _ => "not run",
    };
}
