using Understudy.Core.Detection;
using Understudy.Core.Failover;

namespace Understudy.Metrics;

/// <summary>The built-in proxy's counters of one service at one instant.</summary>
/// <param name="Target">The member new connections go to now, and <paramref name="Since"/> when they began to.</param>
public sealed record ProxyCounters(int Open, long Accepted, long Failed, long BytesIn, long BytesOut, string? Target = null, DateTimeOffset? Since = null, long UnprotectedWrites = 0);

/// <summary>A service's decider state and proxy counters, read at scrape time.</summary>
public sealed record ServiceSnapshot(ServiceState State, ProxyCounters? Proxy);

/// <summary>Gauges (and the proxy's own counters) read from the live state at scrape time, never stored.</summary>
public static class LiveGauges
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <param name="leader">Whether this instance holds the cluster's leader lease (always, for a single controller).</param>
    /// <param name="instances">The instances registered in the cluster (1 for a single controller).</param>
    public static void WriteController(PrometheusText text, string version, DateTimeOffset startedAt, bool leader, int instances)
    {
        Family(text, "understudy_controller_info", MetricType.Gauge, "Always 1; the controller's version is in the label.", [([("version", version)], 1)]);
        Family(text, "understudy_controller_start_time_seconds", MetricType.Gauge, "When this controller started, in Unix seconds.", [([], (startedAt - Epoch).TotalSeconds)]);
        Family(text, "understudy_controller_leader", MetricType.Gauge, "1 while this instance is the leader, the one that decides and acts (always, with a single controller).", [([], leader ? 1 : 0)]);
        Family(text, "understudy_controller_instances", MetricType.Gauge, "Instances registered in the cluster, this one included (1 with a single controller).", [([], instances)]);
    }

    public static void WriteJournal(PrometheusText text, Journal.JournalCondition journal)
    {
        Family(text, "understudy_journal_writable", MetricType.Gauge,
            "1 while the journal takes writes; 0 while it does not, and nothing is decided or acted on.", [([], journal.Writable ? 1 : 0)]);
        Family(text, "understudy_journal_write_failures_total", MetricType.Counter,
            "Failed journal write attempts (each retry counts) since the controller started.", [([], journal.FailedWrites)]);
    }

    public static void WriteServices(PrometheusText text, IReadOnlyList<ServiceSnapshot> services)
    {
        var members = services.SelectMany(s => s.State.Spec.Members.Select(m => (s.State, Member: s.State.Members[m.Name]))).ToList();
        Family(text, "understudy_member_up", MetricType.Gauge, "1 up, 0 down; absent while a member's health is unknown (not enough checks yet).",
            members.Where(m => m.Member.Health != Health.Unknown).Select(m => (Of(m.State, m.Member.Name), m.Member.Health == Health.Up ? 1.0 : 0)));
        Family(text, "understudy_member_routable", MetricType.Gauge, "1 for the member that receives traffic now, 0 for the others.",
            members.Select(m => (Of(m.State, m.Member.Name), m.State.Routable == m.Member.Name ? 1.0 : 0)));
        Family(text, "understudy_member_replication_lag_bytes", MetricType.Gauge,
            "PostgreSQL standbys: the primary's last seen WAL position minus the standby's received position; absent when either is unknown.",
            members.Where(m => m.State.IsReplicated && m.Member.Name != m.State.Primary && m.State.LagOf(m.Member.Name) is not null)
                   .Select(m => (Of(m.State, m.Member.Name), (double)m.State.LagOf(m.Member.Name)!.Value)));

        Family(text, "understudy_service_epoch", MetricType.Gauge, "The epoch: grows by one at every change of primary.",
            services.Select(s => (Of(s.State), (double)s.State.Epoch)));
        Family(text, "understudy_service_paused", MetricType.Gauge, "1 while paused for maintenance (no automatic failover).",
            services.Select(s => (Of(s.State), s.State.Pause is null ? 0.0 : 1)));
        Family(text, "understudy_healthy_failover_targets", MetricType.Gauge, "Members that could be promoted now (healthy, within max_lag, not nofailover).",
            services.Select(s => (Of(s.State), (double)Candidates.Ranked(s.State).Count())));
        Family(text, "understudy_service_rto_target_seconds", MetricType.Gauge, "targets.rto of the service, where set.",
            services.Where(s => s.State.Spec.Targets.Rto is not null).Select(s => (Of(s.State), s.State.Spec.Targets.Rto!.Value.TotalSeconds)));

        var proxies = services.Where(s => s.Proxy is not null).Select(s => (Labels: Of(s.State), Counters: s.Proxy!)).ToList();
        Family(text, "understudy_proxy_connections_open", MetricType.Gauge, "Client connections the built-in proxy holds open now.",
            proxies.Select(p => (p.Labels, (double)p.Counters.Open)));
        Family(text, "understudy_proxy_connections_total", MetricType.Counter, "Client connections the built-in proxy accepted.",
            proxies.Select(p => (p.Labels, (double)p.Counters.Accepted)));
        Family(text, "understudy_proxy_connections_failed_total", MetricType.Counter, "Client connections closed because no member could be reached in time.",
            proxies.Select(p => (p.Labels, (double)p.Counters.Failed)));
        Family(text, "understudy_proxy_bytes_total", MetricType.Counter, "Bytes through the built-in proxy: in = client to member, out = member to client.",
            proxies.SelectMany(p => new[] { (Direction(p.Labels, "in"), (double)p.Counters.BytesIn), (Direction(p.Labels, "out"), (double)p.Counters.BytesOut) }));
        Family(text, "understudy_redis_unprotected_writes_total", MetricType.Counter,
            "Redis synchronous mode, not strict: acknowledged with no replica confirming them: batches of writes whose WAIT timed out, and single writes passed on while no replica was online.",
            services.Where(s => s.State.IsRedis && s.State.Spec.Failover.Synchronous && s.Proxy is not null).Select(s => (Of(s.State), (double)s.Proxy!.UnprotectedWrites)));
        Family(text, "understudy_proxy_routed_since_seconds", MetricType.Gauge,
            "When this instance's proxy began sending new connections to its current target, in Unix seconds; absent while it sends them nowhere (held, or not routing).",
            proxies.Where(p => p.Counters is { Target: not null, Since: not null })
                   .Select(p => (Member(p.Labels, p.Counters.Target!), (p.Counters.Since!.Value - Epoch).TotalSeconds)));
    }

    private static (string Name, string Value)[] Of(ServiceState s) => [("service", s.Name)];

    private static (string Name, string Value)[] Member((string Name, string Value)[] service, string member) => [.. service, ("member", member)];

    private static (string Name, string Value)[] Of(ServiceState s, string member) => [("service", s.Name), ("member", member)];

    private static (string Name, string Value)[] Direction((string Name, string Value)[] service, string direction) => [.. service, ("direction", direction)];

    private static void Family(PrometheusText text, string name, MetricType type, string help, IEnumerable<((string Name, string Value)[] Labels, double Value)> samples)
    {
        text.Family(name, type, help);
        foreach (var (labels, value) in samples) text.Sample(name, labels, value);
    }
}
