using System.Globalization;
using Understudy.Core.Drills;

namespace Understudy.Drills;

/// <summary>The report's "Configuration" section: what was tested, and how, in plain words.</summary>
public static class DrillConfiguration
{
    public static IReadOnlyList<KeyValuePair<string, string>> Describe(DrillContext ctx)
    {
        DrillSpec d = ctx.Spec;
        var rows = new List<KeyValuePair<string, string>>();
        void Add(string key, string value) => rows.Add(new(key, value));
        Add("drill", $"{d.Name} ({d.Environment.ToString().ToLowerInvariant()})");
        if (ctx.Service is { } s)
        {
            Add("service", $"{s.Name} ({s.Kind}) at epoch {s.Epoch}, primary {s.Primary}; members " +
                string.Join(", ", s.Members.Select(m => $"{m.Name} {m.Address} ({m.Role}, {m.Health})")));
            Add("health checks", F($"every {s.Settings.IntervalMs:0} ms, timeout {s.Settings.TimeoutMs:0} ms, down after {s.Settings.Fall} failures, up after {s.Settings.Rise} successes"));
            Add("failover", F($"{s.Settings.Mode}, cooldown {s.Settings.CooldownMs / 1000:0.###} s") +
                (s.Settings.HoldMs is { } hold ? F($"; proxy {s.Proxy?.Listen} holds new connections up to {hold / 1000:0.###} s") : ""));
            Add("controller", ctx.Controller!.BaseUrl.ToString());
        }
        foreach (ProbeSpec p in d.Probes)
            Add($"probe {p.Name}", F($"{ProbeMeasurement.KindName(p.Kind)} {p.Shown} every {p.Interval.TotalMilliseconds:0} ms, timeout {p.Timeout.TotalMilliseconds:0} ms"));
        Add("steady state", F($"{d.SteadyState.Duration.TotalSeconds:0.###} s, at most {d.SteadyState.MaxErrorRate * 100:0.##} % errors"));
        Add("faults", string.Join("; then ", d.Faults.Select(f => f.Describe())));
        Add("recovery", F($"{d.Recovery.StableFor.TotalSeconds:0.###} s of unbroken successes, within {d.Recovery.Timeout.TotalSeconds:0.###} s"));
        if (DrillPlanText.StopConditions(d.StopConditions) is { Count: > 0 } stops) Add("stop conditions", "abort when " + string.Join("; or ", stops));
        return rows;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
