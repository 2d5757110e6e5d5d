using Understudy.Core.Alerts;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Metrics;

/// <summary>
/// Counters and histograms derived from the journal's events as they are stored. They count from this
/// controller's start, as Prometheus counters do: <c>increase()</c> and <c>rate()</c> handle the reset.
/// </summary>
public sealed class JournalMetrics
{
    /// <summary>The events that end a change of primary, and the kind and result labels they count under.</summary>
    private static readonly Dictionary<string, (string Kind, string Result)> Endings = new()
    {
        [EventTypes.FailoverCompleted] = (RequestKind.Failover.Text(), "completed"),
        [EventTypes.FailoverFailed] = (RequestKind.Failover.Text(), "failed"),
        [EventTypes.SwitchoverCompleted] = (RequestKind.Switchover.Text(), "completed"),
        [EventTypes.SwitchoverFailed] = (RequestKind.Switchover.Text(), "failed"),
    };

    private static readonly string[] Severities = ["info", "warning", "critical"];

    private readonly ValueFamily _failovers = new("understudy_failovers_total", MetricType.Counter,
        "Failovers and switchovers that ended, by kind (failover, switchover) and result (completed, failed).", "service", "kind", "result");
    private readonly HistogramFamily _durations = new("understudy_failover_duration_seconds",
        "Failover and switchover phases: detection, fence (switchover: drain), promote, switch, total (completed ones only).",
        Buckets.FailoverSeconds, "service", "kind", "phase");
    private readonly ValueFamily _lastRto = new("understudy_failover_last_rto_estimate_seconds", MetricType.Gauge,
        "The last completed failover's RTO estimate: the old primary's first sign of failure to traffic.switched (controller view).", "service");
    private readonly ValueFamily _alerts = new("understudy_alerts_raised_total", MetricType.Counter,
        "Alerts the controller raised (alert.raised), by severity.", "service", "severity");
    private readonly ValueFamily _drills = new("understudy_drills_total", MetricType.Counter,
        "Drills that reported their verdict to the controller (drill.completed).", "service", "verdict");
    private readonly ValueFamily _drillRto = new("understudy_drill_last_rto_seconds", MetricType.Gauge,
        "The RTO the last run of each drill measured (client view).", "service", "drill");
    private readonly ValueFamily _safety = new("understudy_safety_events_total", MetricType.Counter,
        "Conditions that risk data or hide failures, each alerted as critical: two writable servers, a failed hook, standbys not re-pointed, " +
        "synchronous replication lost or not set, a decider error, the journal unavailable or replaced (service empty for the controller's own).",
        "service", "kind");
    private readonly FailoverTimer _timer = new();

    /// <summary>The controller's own conditions, counted under an empty service.</summary>
    private static readonly string[] ControllerKinds = [EventTypes.JournalUnavailable, EventTypes.JournalReplaced];

    /// <summary>One event's counts land together: a scrape never shows a failover counted but its phases not yet.</summary>
    private readonly Lock _gate = new();

    /// <summary>Creates the series alerts and dashboards use at 0, so their first change is an increase from 0.</summary>
    public JournalMetrics(IEnumerable<ServiceSpec> services)
    {
        foreach (ServiceSpec s in services)
        {
            foreach (var (kind, result) in Endings.Values)
            {
                _failovers.Ensure(s.Name, kind, result);
                _durations.Ensure(s.Name, kind, "total");
            }
            foreach (string severity in Severities) _alerts.Ensure(s.Name, severity);
            foreach (string kind in NotificationRules.SafetyKinds.Except(ControllerKinds)) _safety.Ensure(s.Name, kind);
        }
        foreach (string kind in ControllerKinds) _safety.Ensure("", kind);
    }

    /// <summary>Events in the order they were stored, from one reader at a time.</summary>
    public void Observe(JournalEvent e)
    {
        lock (_gate) ObserveLocked(e);
    }

    private void ObserveLocked(JournalEvent e)
    {
        if (Endings.TryGetValue(e.Type, out var ending)) _failovers.Add(1, e.Service, ending.Kind, ending.Result);
        if (NotificationRules.For(e) is { Topic: AlertTopics.Safety, Action: not AlertAction.Resolve }) _safety.Add(1, e.Service, e.Type);
        switch (e)
        {
            case AlertRaised a: _alerts.Add(1, e.Service, a.Severity); break;
            case DrillCompleted d:
                _drills.Add(1, e.Service, d.Verdict);
                if (d.RtoMs is { } rto) _drillRto.Set(rto / 1000, e.Service, d.Name);
                break;
        }
        if (_timer.Observe(e) is not { } ended) return;
        string kindLabel = ended.Kind.Text();
        foreach (var (phase, seconds) in ended.Phases()) _durations.Observe(seconds, ended.Service, kindLabel, phase);
        if (ended.Completed && ended.RtoEstimateSeconds is { } estimate) _lastRto.Set(estimate, ended.Service);
    }

    public void WriteTo(PrometheusText text)
    {
        lock (_gate) WriteLocked(text);
    }

    private void WriteLocked(PrometheusText text)
    {
        _failovers.WriteTo(text);
        _durations.WriteTo(text);
        _lastRto.WriteTo(text);
        _alerts.WriteTo(text);
        _drills.WriteTo(text);
        _drillRto.WriteTo(text);
        _safety.WriteTo(text);
    }
}
