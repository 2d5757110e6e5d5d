using System.Globalization;
using Understudy.Core.Drills;
using Understudy.Drills.Network;
using Understudy.Drills.Steps;

namespace Understudy.Drills;

/// <summary>
/// A drill in plain words, read from its file alone: the plan <c>drill run --dry-run</c> prints and the
/// one-line summary <c>drill validate</c> prints. Nothing here starts a probe or asks the controller.
/// </summary>
public static class DrillPlanText
{
    /// <summary>The one line after a file validated: <c>drill NAME on service S: 3 steps, 2 probes, targets RTO ≤ 5 s</c>.</summary>
    public static string Summary(DrillSpec d)
    {
        int steps = d.Faults.Length + d.Verify.Length + d.Rollback.Length;
        string stops = StopConditionKeys(d.StopConditions) is { Count: > 0 } keys ? $", stop conditions {string.Join(", ", keys)}" : "";
        return $"drill {d.Name}{(d.Service is { } s ? $" on service {s}" : "")}: {Count(steps, "step")}, {Count(d.Probes.Length, "probe")}, targets {Targets(d.Targets)}{stops}";
    }

    /// <summary>The keys of the stop conditions the file sets, e.g. <c>max_outage</c>, <c>command</c>.</summary>
    private static List<string> StopConditionKeys(StopConditions c) =>
    [
        .. c.MaxOutage is null ? [] : new[] { "max_outage" },
        .. c.MaxErrorRate is null ? [] : new[] { "max_error_rate" },
        .. c.MaxP99 is null ? [] : new[] { "max_p99" },
        .. c.Command is null ? [] : new[] { "command" },
    ];

    /// <summary>Every phase in the order the drill would run it, one line each; steps are indented under their phase.</summary>
    public static IReadOnlyList<string> Lines(DrillSpec d)
    {
        var lines = new List<string>
        {
            $"drill: {d.Name}" + (d.Description is { } about ? $" ({about})" : ""),
            $"environment: {d.Environment.ToString().ToLowerInvariant()}",
            $"service: {d.Service ?? "none"}" + (d.Controller is { } url ? $", controller {url}" : ", no controller"),
            "probes (for the whole drill):",
        };
        lines.AddRange(d.Probes.Select(p => F($"  {p.Name}: {ProbeMeasurement.KindName(p.Kind)} {p.Shown} every {p.Interval.TotalMilliseconds:0} ms, timeout {p.Timeout.TotalMilliseconds:0} ms")));
        if (d.Load.Length > 0)
        {
            lines.Add("load (with the probes, reported apart; external tools are stopped when the probes stop):");
            lines.AddRange(d.Load.Select(l => $"  {l.Name}: {l.Shown}"));
        }
        lines.Add(F($"steady state: {d.SteadyState.Duration.TotalSeconds:0.###} s with at most {d.SteadyState.MaxErrorRate * 100:0.##} % errors, else abort before any fault"));
        AddSteps(lines, "faults (in order):", d.Faults);
        lines.Add(F($"recovery: {d.Recovery.StableFor.TotalSeconds:0.###} s of unbroken successes on every probe, within {d.Recovery.Timeout.TotalSeconds:0.###} s of the fault"));
        AddSteps(lines, "verify (unless the drill aborted):", d.Verify);
        lines.Add("rollback (always, also after an abort; proxy faults injected are cleared and network faults' nft table removed first):");
        lines.AddRange(d.Rollback.IsEmpty ? ["  (no rollback steps)"] : d.Rollback.Select(Step));
        var stops = StopConditions(d.StopConditions);
        lines.Add(stops.Count == 0 ? "stop conditions: none" : "stop conditions (the first to fire aborts the drill, which then rolls back):");
        lines.AddRange(stops.Select(s => "  " + s));
        lines.Add($"targets: {Targets(d.Targets)}" + (d.Service is { } service ? $" (a target left out comes from service {service} on the controller, if it sets one)" : ""));
        return lines;
    }

    /// <summary>The criteria the drill file sets, e.g. <c>RTO ≤ 5 s (+20 %), RPO ≤ 0 lost writes, availability ≥ 99 %</c>.</summary>
    public static string Targets(DrillTargets t)
    {
        var parts = new List<string>();
        if (t.Rto is { } rto) parts.Add(F($"RTO ≤ {rto.TotalSeconds:0.###} s (+{t.RtoTolerance * 100:0.##} %)"));
        if (t.Recovery is { } recovery) parts.Add(F($"recovery ≤ {recovery.TotalSeconds:0.###} s"));
        if (t.Rpo?.Writes is { } writes) parts.Add(F($"RPO ≤ {writes} lost writes"));
        if (t.Rpo?.Window is { } window) parts.Add(F($"RPO window ≤ {window.TotalSeconds:0.###} s"));
        if (t.AvailabilityPct is { } availability) parts.Add(F($"availability ≥ {availability:0.###} %"));
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>Each stop condition the file sets, as <c>key: when it fires</c>, in the order of the reference.</summary>
    public static IReadOnlyList<string> StopConditions(StopConditions c)
    {
        var lines = new List<string>();
        if (c.MaxOutage is { } max) lines.Add(F($"max_outage: a probe fails for {max.TotalSeconds:0.###} s without a break (from the fault on)"));
        if (c.MaxErrorRate is { } rate)
            lines.Add(F($"max_error_rate: more than {rate.Rate * 100:0.##} % of a probe's attempts failed in the last {rate.Window.TotalSeconds:0.###} s (from the fault on, once the window holds {StopWindows.MinAttempts} of its attempts)"));
        if (c.MaxP99 is { } p99)
            lines.Add(F($"max_p99: the p99 latency of a probe's successful attempts in the last {p99.Window.TotalSeconds:0.###} s is above {p99.P99.TotalMilliseconds:0} ms (from the fault on, once the window holds {StopWindows.MinAttempts} of them)"));
        if (c.Command is { } check)
            lines.Add(F($"command: {string.Join(' ', check.Command)} exits non-zero or runs over {check.Timeout.TotalSeconds:0.###} s (run every {check.Interval.TotalSeconds:0.###} s from the start of steady state)"));
        return lines;
    }

    /// <summary>What running the step would do; <see cref="StepRunner.Expected"/> says what it then expects.</summary>
    public static string Action(DrillStep step) => step switch
    {
        KillProcess { By: ProcessTarget.Pid } k => $"send SIG{k.Signal} to pid {k.Value}",
        KillProcess { By: ProcessTarget.PidFile } k => $"send SIG{k.Signal} to the pid on the first line of {k.Value}",
        KillProcess k => $"send SIG{k.Signal} to member {k.Value}'s process (its pidfile from the controller's config)",
        ExecStep => "run the command",
        ProxyFault { Kind: ProxyFaultKind.Blackhole } f => F($"the controller's proxy leaves traffic to {f.Member} unanswered for {f.Duration.TotalSeconds:0.###} s"),
        ProxyFault { Kind: ProxyFaultKind.Latency } f => F($"the controller's proxy delays traffic to {f.Member} by {f.Latency.TotalMilliseconds:0} ms ± {f.Jitter.TotalMilliseconds:0} ms for {f.Duration.TotalSeconds:0.###} s"),
        ProxyFault f => F($"the controller's proxy resets connections to {f.Member} for {f.Duration.TotalSeconds:0.###} s"),
        NetworkFault { Kind: NetworkFaultKind.Drop } n => F($"drop every packet between this host and {n.Target} for {n.Duration.TotalSeconds:0.###} s ({NftExpiry(n)})"),
        NetworkFault { Kind: NetworkFaultKind.Loss } n => F($"drop {n.LossPercent} % of the packets between this host and {n.Target} for {n.Duration.TotalSeconds:0.###} s ({NftExpiry(n)})"),
        NetworkFault n => F($"the controller's proxy delays traffic to the member at {n.Target} by {n.Delay.TotalMilliseconds:0} ms ± {n.Jitter.TotalMilliseconds:0} ms for {n.Duration.TotalSeconds:0.###} s (this kernel has no netem)"),
        WaitStep w => F($"do nothing for {w.Duration.TotalSeconds:0.###} s"),
        ManualStep m => $"ask the operator to: {m.Instruction} (a manual step fails the verdict)",
        AlertReceived => "read the controller's journal for the alert",
        HttpCheckStep h => F($"one GET, timeout {h.Timeout.TotalSeconds:0.###} s"),
        _ => step.Describe(),
    };

    private static string NftExpiry(NetworkFault n) =>
        F($"nft rules in a table of this run, expiring on their own {(n.Duration + NftRuleset.Margin).TotalSeconds:0.###} s after they are applied");

    private static void AddSteps(List<string> lines, string heading, IReadOnlyList<DrillStep> steps)
    {
        if (steps.Count == 0) return;
        lines.Add(heading);
        lines.AddRange(steps.Select(Step));
    }

    private static string Step(DrillStep step, int index) => $"  {index + 1}. {step.Describe()}: {Action(step)}; expects {StepRunner.Expected(step)}";

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
