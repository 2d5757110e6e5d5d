using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Runbooks;

/// <summary>One row of a runbook's expected durations: the value and how it was computed from the config.</summary>
internal sealed record Estimate(string What, string Expected, string How);

/// <summary>The bounds a runbook states, computed from a service's configured checks, timeouts and hooks.</summary>
internal static class RunbookTimings
{
    /// <summary>Active checks alone: a failure just after a passed check needs <c>fall</c> more checks, the last one timing out.</summary>
    public static TimeSpan ActiveDetection(CheckSpec c) => c.Interval * c.Fall + c.Timeout;

    /// <summary>
    /// Through the proxy, a hung member: the proxy's connect times out (no evidence on its own: an overloaded proxy times
    /// out too), which starts <c>fall</c> confirming checks back to back, each at most a timeout.
    /// </summary>
    public static TimeSpan PassiveDetection(CheckSpec c) => c.Timeout * (c.Fall + 1);

    public static TimeSpan Total(IEnumerable<HookSpec> hooks) => hooks.Aggregate(TimeSpan.Zero, (sum, h) => sum + h.Timeout);

    /// <summary>From the failover's start until traffic moves: fence hooks are waited for, then PostgreSQL promotes.</summary>
    public static TimeSpan UntilSwitch(ServiceSpec s) =>
        Total(s.Hooks.Fence) + (s.Kind == ServiceKind.Postgres ? PostgresDefaults.PromoteTimeout : TimeSpan.Zero);

    /// <summary>Worst case from the failure until traffic moves, with nobody in the loop.</summary>
    public static TimeSpan AutomaticOutage(ServiceSpec s) => ActiveDetection(s.Check) + UntilSwitch(s);

    public static IReadOnlyList<Estimate> Rows(ServiceSpec s)
    {
        CheckSpec c = s.Check;
        var rows = new List<Estimate>();
        if (s.Proxy is not null)
        {
            rows.Add(new("a crashed primary, noticed by the proxy", "milliseconds",
                $"a refused connect starts up to {c.Fall} (fall) checks back to back, each refused at once"));
            rows.Add(new("a hung primary, noticed by the proxy", $"≤ {Format(PassiveDetection(c))}",
                $"(fall + 1) × timeout = {c.Fall + 1} × {Format(c.Timeout)}: the proxy's timed-out connect, then fall checks"));
        }
        rows.Add(new("a failure seen by active checks alone (no client traffic)", $"≤ {Format(ActiveDetection(c))}",
            $"fall × interval + timeout = {c.Fall} × {Format(c.Interval)} + {Format(c.Timeout)}"));
        if (s.Hooks.Fence.Length > 0)
            rows.Add(new("fence hooks", $"≤ {Format(Total(s.Hooks.Fence))}", "the sum of the `fence` hooks' timeouts; the failover waits for them"));
        rows.Add(s.Kind == ServiceKind.Postgres
            ? new("promotion", $"≤ {Format(PostgresDefaults.PromoteTimeout)}", "pg_promote waits up to its built-in timeout, then the failover fails")
            : new("fence and switch traffic", "milliseconds", $"a route change in the proxy; {Kind(s)} has no promotion"));
        rows.Add(s.Failover.Mode == FailoverMode.Automatic
            ? new("from the failure until traffic moves, worst case", $"≤ {Format(AutomaticOutage(s))}", OutageHow(s))
            : new("from the failure until traffic moves", "as long as people take",
                "mode manual: detection, then validation, the request and its approvals, then the execution bounds above"));
        if (s.Proxy is { } p)
            rows.Add(new("new client connections wait meanwhile", p.Hold > TimeSpan.Zero ? $"up to {Format(p.Hold)}" : "not at all (refused)",
                "traffic.proxy.hold; when nothing automatic can follow (manual mode, paused, cooldown) they fail fast instead"));
        if (s.Hooks.OnFailover.Length > 0)
            rows.Add(new("on_failover hooks, after traffic moved", $"≤ {Format(Total(s.Hooks.OnFailover))}",
                "the sum of their timeouts, run one after another; they never delay the switch"));
        if (s.Failover.Approvals > 0)
            rows.Add(new("a request awaiting approval", $"expires after {Format(s.Failover.ApprovalWindow)}", "failover.approval_timeout"));
        if (s.Proxy is { } q)
            rows.Add(new("planned switchover: drain", $"≤ {Format(q.Drain)}", "traffic.proxy.drain_timeout: open connections to the old primary get this long to close"));
        if (s.Failover.Mode == FailoverMode.Automatic)
            rows.Add(new("no second automatic failover", $"for {Format(s.Failover.Cooldown)}", "failover.cooldown, from the end of the last failover"));
        return rows;
    }

    private static string OutageHow(ServiceSpec s)
    {
        var parts = new List<string> { $"active detection {Format(ActiveDetection(s.Check))}" };
        if (s.Hooks.Fence.Length > 0) parts.Add($"fence hooks {Format(Total(s.Hooks.Fence))}");
        if (s.Kind == ServiceKind.Postgres) parts.Add($"promotion {Format(PostgresDefaults.PromoteTimeout)}");
        return string.Join(" + ", parts);
    }

    /// <summary>In config units, with seconds rather than thousands of milliseconds: 550ms, 30.55s, 15m.</summary>
    public static string Format(TimeSpan t) =>
        t >= TimeSpan.FromSeconds(1) && t.Ticks % TimeSpan.TicksPerSecond != 0 ? $"{t.TotalSeconds:0.###}s" : Durations.Format(t);

    public static string Kind(ServiceSpec s) => s.Kind.ToString().ToLowerInvariant();
}
