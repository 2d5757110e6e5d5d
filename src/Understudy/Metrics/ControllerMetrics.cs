using System.Threading.Channels;
using Understudy.Core.Detection;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Metrics;

/// <summary>
/// What <c>GET /metrics</c> shows: counters and histograms from the journal feed, check durations as
/// checks end, and gauges read from the live state at scrape time.
/// </summary>
public sealed class ControllerMetrics : BackgroundService
{
    private readonly ChannelReader<JournalEvent> _events;
    private readonly JournalMetrics _journal;
    private readonly HistogramFamily _checks = new("understudy_member_check_duration_seconds",
        "Active checks of a member, passed or failed (a timeout counts its full timeout).", Buckets.CheckSeconds, "service", "member");

    private readonly JournalHealth _journalHealth;
    private readonly Api.Auth.SignInLimits _signIns;

    public ControllerMetrics(UnderstudySpec spec, JournalFeed feed, JournalHealth journalHealth, Api.Auth.SignInLimits signIns)
    {
        _journalHealth = journalHealth;
        _signIns = signIns;
        // Subscribed when the host is built, before the controller journals anything.
        _events = feed.Subscribe();
        _journal = new JournalMetrics(spec.Services);
        foreach (ServiceSpec s in spec.Services)
            foreach (MemberSpec m in s.Members) _checks.Ensure(s.Name, m.Name);
    }

    /// <summary>Each member's series, kept: 2,000 checks a second each built a key and looked it up (1 % of a profile's samples).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Service, string Member), Histogram> _checkSeries = new();

    public void CheckEnded(string service, CheckResult result) =>
        _checkSeries.GetOrAdd((service, result.Member), static (k, family) => family.Series(k.Service, k.Member), _checks).Observe(result.Duration.TotalSeconds);

    public string Render(Controller controller, Cluster.IClusterState cluster)
    {
        var text = new PrometheusText();
        LiveGauges.WriteController(text, Controller.Version, controller.StartedAt, cluster.IsLeader, cluster.View().Instances.Count);
        LiveGauges.WriteJournal(text, _journalHealth.Now);
        LiveGauges.WriteServices(text, [.. controller.Services.Select(r => new ServiceSnapshot(r.Loop.State,
            r.Proxy is { } p ? new ProxyCounters(p.OpenConnections, p.Accepted, p.Failed, p.BytesIn, p.BytesOut, r.Routes?.Current.Route.Target, r.Routes?.RoutedSince, p.UnprotectedWrites) : null))]);
        _checks.WriteTo(text);
        _journal.WriteTo(text);
        _signIns.WriteTo(text);
        return text.ToString();
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (JournalEvent e in _events.ReadAllAsync(stopping)) _journal.Observe(e);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }
}
