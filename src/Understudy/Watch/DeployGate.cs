using System.Globalization;
using Understudy.Api;
using Understudy.Config;
using Understudy.Core.Drills;

namespace Understudy.Watch;

/// <summary>
/// The gate's thresholds. <see cref="Grace"/>: how long the primary may be out before it counts;
/// <see cref="MinAvailability"/>: a fraction (0.99); <see cref="Window"/>: how far back a probe's attempts count;
/// <see cref="MaxP99"/>: the slowest p99 of successful attempts tolerated, or none.
/// </summary>
public sealed record GateSettings(TimeSpan Grace, double MinAvailability, TimeSpan Window, TimeSpan? MaxP99)
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(2);
    public const double DefaultMinAvailability = 0.99;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(30);
}

/// <summary>What the gate reads of the controller's view of the service (<c>GET /api/status</c>).</summary>
/// <param name="FailoverKind">"failover" or "switchover" while one is in progress, else null.</param>
public sealed record ServiceObservation(long Epoch, string Primary, string Phase, string PrimaryHealth, string? Routable, string? FailoverKind)
{
    public static ServiceObservation From(ServiceView s) => new(s.Epoch, s.Primary, s.Phase,
        s.Members.FirstOrDefault(m => m.Name == s.Primary)?.Health ?? "unknown", s.Routable, s.Failover?.Kind);

    /// <summary>Phases in which the primary does not serve: it is down, or nothing routes to it.</summary>
    private static readonly string[] OutPhases = ["primary_down", "degraded", "held"];

    /// <summary>Why the primary does not serve now, or null when it does.</summary>
    public string? Outage =>
        PrimaryHealth == "down" ? $"primary {Primary} is down"
        : Routable is null ? "the proxy routes to no member"
        : OutPhases.Contains(Phase) ? $"the service is {Phase.Replace('_', ' ')}"
        : null;
}

/// <summary>Which rule broke, when, and one sentence for the person, the journal and the alert.</summary>
public sealed record GateBreach(DateTimeOffset At, string Rule, string Reason);

/// <summary>
/// The health gate of a deploy watch, pure: fed what the controller shows and what the probes saw, at instants the
/// caller gives, it says whether the deploy stays. It breaches when, after the watch began,
/// <list type="number">
/// <item>the epoch moves or a failover or switchover is in progress (the primary the watch began with is no longer trusted);</item>
/// <item>the primary is out — down, not routable, or the service degraded, held or primary_down — for <see cref="GateSettings.Grace"/> or longer, without a break;</item>
/// <item>a probe's attempts that started in the last <see cref="GateSettings.Window"/> succeed less often than <see cref="GateSettings.MinAvailability"/>;</item>
/// <item>with <see cref="GateSettings.MaxP99"/>, their successful attempts' p99 latency (nearest rank) exceeds it.</item>
/// </list>
/// An unanswered status poll is no observation: it neither trips nor clears the outage clock.
/// </summary>
public sealed class DeployGate(GateSettings settings, ServiceObservation baseline)
{
    private DateTimeOffset? _outSince;

    public GateSettings Settings => settings;

    public ServiceObservation Baseline => baseline;

    /// <summary>The rule in words, as <c>--help</c>, <c>--dry-run</c> and the docs say it.</summary>
    public static IReadOnlyList<string> Describe(GateSettings s) =>
    [
        "no failover or switchover starts (the epoch stays the one at the start)",
        $"the primary is not out (down, not routable, or the service degraded, held or primary_down) for {Durations.Format(s.Grace)} or longer",
        $"each probe's availability over the last {Durations.Format(s.Window)} stays at or above {Percent(s.MinAvailability)}",
        .. s.MaxP99 is { } p99 ? [$"each probe's p99 latency of successful attempts over the last {Durations.Format(s.Window)} stays at or below {Durations.Format(p99)}"] : Array.Empty<string>(),
    ];

    /// <summary>A status poll answered at <paramref name="now"/>; a breach, or null while the controller's side holds.</summary>
    public GateBreach? Observe(DateTimeOffset now, ServiceObservation s)
    {
        if (s.FailoverKind is { } kind)
            return new GateBreach(now, "failover", $"a {kind} of {s.Primary} started (epoch {s.Epoch})");
        if (s.Epoch != baseline.Epoch)
            return new GateBreach(now, "failover", $"the epoch moved from {baseline.Epoch} to {s.Epoch}: the primary is now {s.Primary}, was {baseline.Primary}");
        if (s.Outage is not { } outage)
        {
            _outSince = null;
            return null;
        }
        _outSince ??= now;
        TimeSpan outFor = now - _outSince.Value;
        return outFor >= settings.Grace
            ? new GateBreach(now, "primary", $"{outage} for {Seconds(outFor)} (grace {Durations.Format(settings.Grace)})")
            : null;
    }

    /// <summary>The probe <paramref name="probe"/>'s finished attempts at <paramref name="now"/>; a breach, or null while they pass.</summary>
    public GateBreach? Check(DateTimeOffset now, string probe, IEnumerable<ProbeSample> samples)
    {
        List<ProbeSample> recent = [.. samples.Where(s => s.Start > now - settings.Window && s.Start <= now)];
        if (recent.Count == 0) return null;
        int ok = recent.Count(s => s.Ok);
        double availability = (double)ok / recent.Count;
        if (availability < settings.MinAvailability)
        {
            ProbeSample last = recent.Where(s => !s.Ok).MaxBy(s => s.Start)!;
            return new GateBreach(now, "availability",
                $"probe {probe}: {ok} of {recent.Count} attempts succeeded in the last {Durations.Format(settings.Window)} ({Percent(availability)}, below {Percent(settings.MinAvailability)}); last failure: {last.Detail ?? last.Error.ToString()}");
        }
        if (settings.MaxP99 is { } max && ProbeMeasurement.Latency(recent).P99Ms is { } p99 && p99 > max.TotalMilliseconds)
            return new GateBreach(now, "latency",
                $"probe {probe}: p99 latency {p99.ToString("0", CultureInfo.InvariantCulture)} ms over the last {Durations.Format(settings.Window)}, above {Durations.Format(max)}");
        return null;
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
