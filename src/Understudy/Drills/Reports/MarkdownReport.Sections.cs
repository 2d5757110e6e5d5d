using System.Text;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

// The sections after recovery: what clients saw, data, the controller's view, and the judgement.
public static partial class MarkdownReport
{
    private static void Clients(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "What clients saw");
        if (r.Probes.Count == 0) { Md.Para(b, "No probes ran."); return; }
        Md.Table(b, ["probe", "kind", "target", "attempts", "failed", "errors by kind", "availability", "RTO", "recovery time", "unexpected errors"],
            r.Probes.Select(p => (IReadOnlyList<string>)[Md.Text(p.Name), Md.Text(p.Kind), Md.Text(p.Target), Fmt.Int(p.Attempts), Fmt.Int(p.Failed),
                ErrorsByKind(p), Fmt.Pct(p.AvailabilityPct), Outage(p.RtoMs, r), Outage(p.RecoveryTimeMs, r), Fmt.Int(p.UnexpectedErrors)]));
        var tails = r.Probes.Where(p => p.DnsTail is not null).ToList();
        foreach (ProbeResult p in tails) b.Append("- ").Append(DnsTailText(p.Name, p.DnsTail!)).Append('\n');
        if (tails.Count > 0) b.Append('\n');
    }

    /// <summary>One sentence per probe with a resolver: how long its clients kept reaching the old address.</summary>
    internal static string DnsTailText(string probe, DnsTail t)
    {
        string lead = $"DNS tail ({Md.Text(probe)}): ";
        string after = t.From == DnsTailCalculation.FromSwitch ? "after traffic.switched" : "after the fault (no traffic.switched in the journal)";
        if (t.OldAddress is not { } old)
            return lead + $"not measured: no successful attempt through {Md.Text(t.Resolver)} before the fault recorded an address.";
        if (t.AttemptsToOldAddressAfterSwitch == 0)
            return lead + $"0 s: no client resolving through {Md.Text(t.Resolver)} reached the old address {Md.Text(old)} {after}.";
        int n = t.AttemptsToOldAddressAfterSwitch;
        return lead + $"clients resolving through {Md.Text(t.Resolver)} kept reaching the old address {Md.Text(old)} for {Fmt.Seconds(t.TailMs ?? 0)} {after} " +
            $"({Fmt.Int(n)} attempt{(n == 1 ? "" : "s")}, the last at {Fmt.Clock(t.LastOldAddressAt!.Value)}).";
    }

    private static string ErrorsByKind(ProbeResult p) => p.ErrorsByKind.Count == 0
        ? "none"
        : string.Join(", ", p.ErrorsByKind.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{Md.Text(kv.Key)}: {Fmt.Int(kv.Value)}"));

    private static void Latency(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Latency before / during / after");
        if (r.Probes.Count == 0) { Md.Para(b, "No probes ran."); return; }
        Md.Para(b, "Successful attempts only; \"during\" runs from the fault to recovery.");
        Md.Table(b, ["probe", "part", "successful attempts", "p50", "p95", "p99"],
            r.Probes.SelectMany(p => new[] { ("before", p.Before), ("during", p.During), ("after", p.After) }
                .Select(part => (IReadOnlyList<string>)[Md.Text(p.Name), part.Item1, Fmt.Int(part.Item2.Count),
                    Fmt.Ms(part.Item2.P50Ms), Fmt.Ms(part.Item2.P95Ms), Fmt.Ms(part.Item2.P99Ms)])));
    }

    private static void DataIntegrity(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Data integrity");
        var writers = r.Probes.Where(p => p.Writes is not null).ToList();
        if (writers.Count == 0) { Md.Para(b, "No write probe: data loss not measured."); return; }
        Md.Table(b, ["probe", "acknowledged", "read back", "lost", "first lost ack (UTC)", "last lost ack (UTC)", "window"],
            writers.Select(p => (IReadOnlyList<string>)[Md.Text(p.Name), Fmt.Int(p.Writes!.Acknowledged), Fmt.Int(p.Writes.ReadBack), Fmt.Int(p.Writes.Lost),
                p.Writes.FirstLostAckAt is { } f ? Fmt.Clock(f) : "—", p.Writes.LastLostAckAt is { } l ? Fmt.Clock(l) : "—", Fmt.Ms(p.Writes.WindowMs)]));
        int lost = writers.Sum(p => p.Writes!.Lost);
        Md.Para(b, lost == 0
            ? "Every acknowledged write was read back afterwards."
            : $"{Fmt.Int(lost)} acknowledged write{(lost == 1 ? " was" : "s were")} missing afterwards: clients were told they were stored, and they are gone.");
    }

    private static void Events(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Controller events");
        if (r.Events.Count == 0) { Md.Para(b, "No controller events recorded in the drill window."); return; }
        JournalTables.Events(b, r.Events, r.StartedAt, "since start");
    }

    private static void Criteria(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Criteria");
        if (r.Criteria.Count == 0) { Md.Para(b, "No criteria were evaluated."); return; }
        Md.Table(b, ["criterion", "passed", "detail"],
            r.Criteria.Select(c => (IReadOnlyList<string>)[Md.Text(c.Name), Md.Ok(c.Passed), Md.Text(c.Detail)]));
    }

    private static void Issues(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Issues found");
        if (r.Issues.Count == 0) { Md.Para(b, "none"); return; }
        foreach (string issue in r.Issues) b.Append("- ").Append(Md.Text(issue)).Append('\n');
        b.Append('\n');
    }

    private static void VerdictSection(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Verdict");
        var failed = r.Criteria.Where(c => !c.Passed).ToList();
        string lead = r.Verdict switch
        {
            Verdict.Aborted => $"**{Fmt.VerdictText(r.Verdict)}**: {Md.Text(r.AbortReason ?? "no reason recorded")}",
            Verdict.Failed => $"**{Fmt.VerdictText(r.Verdict)}**: {Fmt.Int(failed.Count)} of {Fmt.Int(r.Criteria.Count)} criteria failed.",
            _ => $"**{Fmt.VerdictText(r.Verdict)}**: all {Fmt.Int(r.Criteria.Count)} criteria held.",
        };
        Md.Para(b, lead);
        IEnumerable<Criterion> reasons = r.Verdict == Verdict.Passed ? r.Criteria : failed;
        foreach (Criterion c in reasons) b.Append($"- {Md.Ok(c.Passed)} {Md.Text(c.Name)}: {Md.Text(c.Detail)}\n");
        if (reasons.Any()) b.Append('\n');
    }

    private static void Appendix(StringBuilder b, DrillReport r)
    {
        Md.Heading(b, 2, "Appendix: drill file");
        Md.Code(b, "yaml", r.DrillFile);
    }
}
