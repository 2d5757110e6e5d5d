using System.Threading.Channels;
using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;

namespace Understudy.Alerts;

/// <summary>
/// Tells people what the journal records: reads every stored event from the <see cref="JournalFeed"/>,
/// turns the ones that matter into notifications (<see cref="NotificationRules"/>), passes each through
/// the channel's throttle and posts it to the channel's queue. It never writes to the decider and nothing
/// waits for it, so a failover is never delayed by a sink.
/// </summary>
public sealed partial class Notifier : BackgroundService
{
    private readonly ChannelReader<JournalEvent> _events;
    private readonly IEventRecorder _recorder;
    private readonly JournalHealth _journal;
    private volatile Channels _channels = Channels.None;
    private readonly Lock _workersGate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Cluster.IClusterState _cluster;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan }; // each attempt has its own timeout
    private readonly CancellationTokenSource _deliveries = new();
    private readonly List<Task> _workers = []; // one per channel; under _workersGate

    public Notifier(UnderstudySpec spec, JournalFeed feed, IEventRecorder recorder, JournalHealth journal, Cluster.IClusterState cluster, TimeProvider time, ILogger<Notifier> logger)
    {
        // Subscribed before the host starts, so no event the controller stores is missed.
        _events = feed.Subscribe();
        _time = time;
        _logger = logger;
        _cluster = cluster;
        _recorder = recorder;
        _journal = journal;
        _channels = Channels.Of(spec, Channels.None, Channel);
    }

    private AlertChannel Channel(AlertChannelSpec c) => new(c, AlertSenders.Create(c, _http), _recorder, _journal, _time, _logger);

    /// <summary>
    /// A reload changed the channels: a channel whose settings and place (global, or a service's) are unchanged is
    /// kept with its throttle and queue; a new one starts; one no longer configured delivers what it holds and ends.
    /// </summary>
    public void Apply(UnderstudySpec spec)
    {
        Channels before = _channels, after = Channels.Of(spec, before, Channel);
        _channels = after;
        lock (_workersGate)
        {
            _workers.RemoveAll(w => w.IsCompleted);
            if (_started) _workers.AddRange(after.All.Except(before.All).Select(c => c.RunAsync(_deliveries.Token)));
        }
        foreach (AlertChannel gone in before.All.Except(after.All)) gone.Complete();
    }

    private bool _started;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        lock (_workersGate)
        {
            _workers.AddRange(_channels.All.Select(c => c.RunAsync(_deliveries.Token)));
            _started = true;
        }
        try
        {
            while (true)
            {
                await WaitAsync(stopping);
                DateTimeOffset now = _time.GetUtcNow();
                while (_events.TryRead(out JournalEvent? e)) Route(e, now);
                foreach (AlertChannel c in _channels.All)
                    foreach (Notification held in c.Throttle.Due(now)) c.Post(held);
            }
        }
        // Also a host that failed to start stops it this way: not a fault to log.
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    private void Route(JournalEvent e, DateTimeOffset now)
    {
        try
        {
            // Our own alert.delivered / alert.delivery_failed come back on the feed too; the rules map them to nothing.
            // Every instance of a cluster reads every event; the leader alone tells people, so they hear once.
            // An instance's alerts about itself (etcd lost, cut off, its journal) are its own to send.
            if ((!_cluster.IsLeader && e is not IInstanceAlert) || NotificationRules.For(e) is not { } n) return;
            foreach (AlertChannel c in ChannelsFor(e.Service).Where(c => NotificationRules.Wants(c.Spec, n)))
                if (c.Throttle.Offer(n, now) is { } send) c.Post(send);
        }
        catch (Exception error)
        {
            // A bug here must cost one notification, never the controller: the host stops when a service throws.
            Log.Unexpected(_logger, error, e.Id, e.Type);
        }
    }

    /// <summary>The service's own channels, then the global ones; an event of no service (a drill without one) goes to the global ones.</summary>
    private IEnumerable<AlertChannel> ChannelsFor(string service)
    {
        Channels now = _channels;
        return now.ByService.TryGetValue(service, out var own) ? own.Concat(now.Global) : now.Global;
    }

    /// <summary>Until an event arrives or a held notification falls due.</summary>
    private async Task WaitAsync(CancellationToken stopping)
    {
        DateTimeOffset? due = _channels.All.Select(c => c.Throttle.NextDue).Min();
        if (due is null)
        {
            await _events.WaitToReadAsync(stopping);
            return;
        }
        TimeSpan delay = due.Value - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero) return;
        using var timer = new CancellationTokenSource(delay, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
        try { await _events.WaitToReadAsync(either.Token); }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (AlertChannel c in _channels.All) c.Complete();
        Task workers;
        lock (_workersGate) workers = Task.WhenAll(_workers);
        // Deliveries under way get a moment, so the last notifications of a failover survive a restart.
        try { await workers.WaitAsync(AlertDefaults.DrainTimeout, _time, cancellationToken); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
        await _deliveries.CancelAsync();
        await workers.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public override void Dispose()
    {
        _deliveries.Dispose();
        _http.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 404, Level = LogLevel.Critical, Message = "notifier failed on event #{EventId} ({Type}); nothing sent for it, please report")]
        public static partial void Unexpected(ILogger logger, Exception error, long eventId, string type);
    }
}
