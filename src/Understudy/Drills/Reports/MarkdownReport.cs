using System.Text;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>
/// report.md: the failover test report a person reads, in the order of the hand-written reports it
/// replaces (summary, configuration, steps expected vs actual, recovery, what clients saw, data integrity,
/// issues, verdict), with the drill file in an appendix. A pure function of the report.
/// </summary>
public static partial class MarkdownReport
{
    public static string Render(DrillReport report)
    {
        (string head, string body) = RenderParts(report);
        return head + body;
    }

    /// <summary>The title and summary, then the rest: report.html puts its timeline chart between the two.</summary>
    internal static (string Head, string Body) RenderParts(DrillReport r)
    {
        var head = new StringBuilder();
        Title(head, r);
        Summary(head, r);
        var body = new StringBuilder();
        Configuration(body, r);
        Steps(body, r);
        Recovery(body, r);
        Clients(body, r);
        Latency(body, r);
        Load(body, r);
        DataIntegrity(body, r);
        Events(body, r);
        Criteria(body, r);
        Issues(body, r);
        VerdictSection(body, r);
        Appendix(body, r);
        return (head.ToString(), body.ToString().TrimEnd('\n') + "\n");
    }

    private static void Title(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 1, $"Failover drill: {Md.Text(r.Name)} — {Fmt.VerdictText(r.Verdict)}");
        if (!string.IsNullOrWhiteSpace(r.Description)) Md.Para(b, Md.Text(r.Description));
        double totalMs = (r.EndedAt - r.StartedAt).TotalMilliseconds;
        b.Append($"- **When**: {Fmt.Day(r.StartedAt)}, {Fmt.Clock(r.StartedAt)} → {Fmt.Clock(r.EndedAt)} UTC ({Fmt.Seconds(totalMs)})\n");
        b.Append($"- **Environment**: {Md.Text(r.Environment)}");
        if (r.Service is { } s) b.Append($"; **service**: {Md.Text(s)}");
        if (r.Controller is { } c) b.Append($"; **controller**: {Md.Text(c)}");
        b.Append('\n');
        b.Append($"- **Fault injected**: {At(r.FaultAt, r.StartedAt, "no fault was injected")}; **clients recovered**: {At(r.RecoveredAt, r.StartedAt, "not recovered")}\n");
        if (r.AbortReason is { } why) b.Append($"- **Aborted**: {Md.Text(why)}\n");
        b.Append('\n');
    }

    private static void Summary(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Summary");
        Md.Table(b, ["", "measured", "target", "theoretical"],
        [
            ["verdict", Fmt.VerdictText(r.Verdict), "", ""],
            ["RTO (worst probe)", Outage(r.RtoMs, r), RtoTarget(r.Targets), Fmt.Ms(r.Theoretical?.Ms)],
            ["recovery time (worst probe)", Outage(r.RecoveryTimeMs, r), RecoveryTarget(r.Targets), ""],
            ["availability", Fmt.Pct(r.AvailabilityPct), r.Targets.AvailabilityPct is { } a ? "≥ " + Fmt.Pct(a) : "—", ""],
            ["lost acknowledged writes", LostWrites(r), RpoTarget(r.Targets), ""],
        ]);
    }

    private static void Configuration(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Configuration");
        if (r.Configuration.Count == 0) Md.Para(b, "No configuration recorded.");
        else Md.Table(b, ["key", "value"], r.Configuration.Select(kv => (IReadOnlyList<string>)[Md.Text(kv.Key), Md.Text(kv.Value)]));
        Md.Para(b, "The drill file is reproduced in full in the appendix.");
    }

    private static void Steps(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Steps: expected vs actual");
        if (r.Steps.Count == 0) { Md.Para(b, "No steps ran."); return; }
        Md.Table(b, ["phase", "step", "expected", "actual", "started (UTC)", "since start", "took", "ok"],
            r.Steps.Select(s => (IReadOnlyList<string>)[Md.Text(s.Phase), Md.Text(s.Step), Md.Text(s.Expected), Md.Text(s.Actual),
                Fmt.Clock(s.Start), Fmt.Since(s.Start, r.StartedAt), Fmt.Ms((s.End - s.Start).TotalMilliseconds), Md.Ok(s.Ok)]));
    }

    private static void Recovery(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Recovery time: measured vs target vs theoretical");
        Md.Table(b, ["", "measured", "target", "theoretical"],
        [
            ["RTO", Outage(r.RtoMs, r), RtoTarget(r.Targets), r.Theoretical is { } t ? $"{Fmt.Ms(t.Ms)} ({Md.Text(t.Formula)})" : "—"],
            ["recovery time", Outage(r.RecoveryTimeMs, r), RecoveryTarget(r.Targets), ""],
        ]);
        Md.Para(b, Md.Text(RecoveryGap.Explain(r)));
        Md.Heading(b, 3, "Phase breakdown");
        if (r.Phases.Count == 0) { Md.Para(b, "No phases recorded: the controller's journal was not available to this drill."); return; }
        JournalTables.Phases(b, r.Phases, "since fault");
    }

    private static string At(DateTimeOffset? t, DateTimeOffset start, string whenNull) =>
        t is { } v ? $"{Fmt.Clock(v)} ({Fmt.Since(v, start)})" : whenNull;

    /// <summary>RTO and recovery time are null when clients never recovered, and meaningless without a fault.</summary>
    private static string Outage(double? ms, DrillReport r) => Fmt.Ms(ms, r.FaultAt is null ? "— (no fault)" : "not recovered");

    private static string RtoTarget(ReportTargets t) => t.RtoMs is { } rto
        ? $"≤ {Fmt.Ms(rto)} (fails above {Fmt.Ms(rto * (1 + t.RtoTolerancePct / 100))}, {Fmt.Pct(t.RtoTolerancePct)} tolerance)"
        : "—";

    private static string RecoveryTarget(ReportTargets t) => t.RecoveryMs is { } ms ? "≤ " + Fmt.Ms(ms) : "—";

    private static string RpoTarget(ReportTargets t) => (t.RpoWrites, t.RpoWindowMs) switch
    {
        ({ } n, { } w) => $"≤ {Fmt.Int(n)}, window ≤ {Fmt.Ms(w)}",
        ({ } n, null) => $"≤ {Fmt.Int(n)}",
        (null, { } w) => $"window ≤ {Fmt.Ms(w)}",
        _ => "—",
    };

    private static string LostWrites(DrillReport r)
    {
        if (r.LostAcknowledgedWrites is not { } lost) return "not measured (no write probe)";
        double? window = r.Probes.Select(p => p.Writes?.WindowMs).Max();
        return window is { } w && lost > 0 ? $"{Fmt.Int(lost)} (window {Fmt.Ms(w)})" : Fmt.Int(lost);
    }
}
