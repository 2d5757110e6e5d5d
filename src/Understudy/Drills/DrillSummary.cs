using System.Globalization;
using Spectre.Console;
using Understudy.Core.Drills;

namespace Understudy.Drills;

/// <summary>The table printed when a drill ends: verdict, the key numbers against their targets, criteria, where the report is.</summary>
public static class DrillSummary
{
    public static void Write(IAnsiConsole console, DrillReport r, string folder)
    {
        string colour = r.Verdict switch { Verdict.Passed => "green", Verdict.Failed => "red", _ => "yellow" };
        var table = new Table().Title($"[bold {colour}]{r.Verdict.ToString().ToUpperInvariant()}[/] {Markup.Escape(r.Name)}").AddColumns("measure", "value", "target");
        table.AddRow("RTO (worst probe)", Measured(r.RtoMs, r.FaultAt), Target(r.Targets.RtoMs));
        table.AddRow("recovery time (worst probe)", Measured(r.RecoveryTimeMs, r.FaultAt), Target(r.Targets.RecoveryMs));
        if (r.Theoretical is { } t) table.AddRow("theoretical bound", Markup.Escape(t.Formula), "");
        table.AddRow("availability", $"{r.AvailabilityPct.ToString("0.###", CultureInfo.InvariantCulture)} %", r.Targets.AvailabilityPct is { } a ? $"{a:0.###} %" : "");
        table.AddRow("lost acknowledged writes", r.LostAcknowledgedWrites?.ToString(CultureInfo.InvariantCulture) ?? "not measured", r.Targets.RpoWrites?.ToString(CultureInfo.InvariantCulture) ?? "");
        foreach (Criterion c in r.Criteria)
            table.AddRow($"{(c.Passed ? "[green]✔[/]" : "[red]✘[/]")} {Markup.Escape(c.Name)}", Markup.Escape(c.Detail), "");
        console.Write(table);
        if (r.AbortReason is not null) console.MarkupLine($"[yellow]aborted: {Markup.Escape(r.AbortReason)}[/]");
        // Absolute, so it can be opened from anywhere (a newcomer ran the demo and looked for a relative path).
        console.MarkupLine($"Report: {Markup.Escape(Path.Combine(Path.GetFullPath(folder), "report.md"))} (also report.html, report.json, samples.csv)");
    }

    private static string Measured(double? ms, DateTimeOffset? faultAt) =>
        ms is not null ? Target(ms) : faultAt is null ? "no fault injected" : "never recovered";

    private static string Target(double? ms) => ms is { } v ? $"{v.ToString("0", CultureInfo.InvariantCulture)} ms" : "";
}
