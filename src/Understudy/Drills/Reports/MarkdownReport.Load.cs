using System.Globalization;
using System.Text;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

// "Under load": throughput, error rate and latency of each load before, during and after, what broke first, and
// how each external tool ended. Left out of reports of drills without a load section.
public static partial class MarkdownReport
{
    private static void Load(StringBuilder b, DrillReport r)
    {
        if (r.Load.Count == 0) return;
        Md.Heading(b, 2, "Under load");
        if (r.FirstBroken is { } first)
            Md.Para(b, $"**What broke first**: {Md.Text(first.Source)}, {Fmt.SignedMs(first.AfterFaultMs)} after the fault ({SamplesCsv.KindName(first.Kind)}"
                + (first.Detail is { Length: > 0 } d ? $": {Md.Text(d)}" : "") + ").");
        else if (r.FaultAt is not null)
            Md.Para(b, "**What broke first**: nothing: no probe or load attempt failed after the fault.");
        var generators = r.Load.Where(l => l.Windows.Count > 0).ToList();
        if (generators.Count > 0)
        {
            Md.Para(b, "Throughput counts successful attempts per second of the window (by start time); \"during\" runs from the fault to recovery; latency is of successful attempts.");
            Md.Table(b, ["load", "part", "seconds", "attempts", "throughput", "error rate", "p50", "p99"],
                generators.SelectMany(l => l.Windows.Select(w => (IReadOnlyList<string>)[Md.Text(l.Name), w.Name, Num(w.Seconds, "0.#"), Fmt.Int(w.Attempts),
                    Num(w.ThroughputPerS, "0.#") + "/s", Num(w.ErrorRatePct, "0.##") + " %", Fmt.Ms(w.P50Ms), Fmt.Ms(w.P99Ms)])));
            foreach (LoadResult l in generators) b.Append($"- {Md.Text(l.Name)}: {Md.Text(l.Source)}").Append('\n');
            b.Append('\n');
        }
        foreach (LoadResult tool in r.Load.Where(l => l.Windows.Count == 0))
        {
            Md.Para(b, $"**{Md.Text(tool.Name)}** (`{Md.Text(tool.Source)}`): {Md.Text(tool.Outcome ?? "")}. The last of its output:");
            Md.Code(b, "text", (tool.Output ?? "").TrimEnd());
        }
    }

    private static string Num(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
