using Understudy.Coordination;
using Understudy.Core.Cluster;
using Understudy.Core.Journal;
using Understudy.Failover;
using Understudy.Journal;

namespace Understudy.Cluster;

/// <summary>
/// Applies the routing lease to this instance's proxies several times a second: fresh, they route by the folded
/// state; stale, they route on only if a majority of the registered instances say etcd is lost for them too and
/// hold the same epochs (failsafe); otherwise they hold new connections for the proxy's hold, then refuse them
/// and close every open one (<see cref="RoutingLease"/>).
/// </summary>
public sealed partial class ClusterRouting(IReadOnlyList<ServiceRuntime> services, InstancePresence presence, PeerClient peers, TimeSpan lease,
    JournalFeed feed, IServiceLog log, TimeProvider time, ILogger<ClusterRouting> logger)
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(50);
    private readonly long _started = time.GetTimestamp();
    private long _askedAt;
    private bool _isolated;
    private bool _failsafe;
    private string _failsafeWhy = "";

    public bool Failsafe => _failsafe;

    public string FailsafeWhy => _failsafe ? _failsafeWhy : "";

    /// <summary>Whether the log has been read once since the start: until then this instance's epochs may be old.</summary>
    public Func<bool> CaughtUp { get; init; } = () => true;

    /// <summary>The instances last read from etcd, with their API addresses: who to ask when etcd is gone.</summary>
    public Func<IReadOnlyList<RegisteredInstance>> Registered { get; set; } = () => [];

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            TimeSpan stale = Stale();
            bool failsafe = stale > TimeSpan.Zero && await FailsafeAsync(ct);
            if (failsafe != _failsafe)
            {
                _failsafe = failsafe;
                if (failsafe) Log.FailsafeOn(logger, _failsafeWhy);
                else Log.FailsafeOff(logger);
                await AlertAsync("etcd", failsafe, failsafe
                    ? $"etcd is unreachable for {presence.Name} and its peers alike: failsafe, proxies keep routing to the current primaries and nothing is failed over until it is back ({_failsafeWhy})"
                    : $"etcd answers {presence.Name} again: failsafe ended");
            }
            bool isolated = false;
            foreach (ServiceRuntime s in services)
            {
                if (s.Routes is not { } board) continue;
                RouteGate gate = RoutingLease.Gate(stale, s.Spec.Proxy!.Hold, failsafe);
                isolated |= gate == RouteGate.Closed;
                RouteGate was = board.Gate;
                if (!board.SetGate(gate) || gate == was) continue;
                int closed = gate == RouteGate.Closed && s.Proxy is { } proxy ? await proxy.CloseAllAsync() : 0;
                Log.Gated(logger, s.Spec.Name, gate, stale.TotalMilliseconds, closed);
            }
            if (isolated != _isolated)
            {
                _isolated = isolated;
                await AlertAsync($"isolated:{presence.Name}", isolated, isolated
                    ? $"{presence.Name} is cut off from etcd and from a majority of its peers: its proxies stopped routing (its own network is suspect)"
                    : $"{presence.Name} reaches etcd again: its proxies route by the log");
            }
        }
    }

    /// <summary>
    /// Told at once when it starts (it cannot be journaled then: etcd is what is lost) and journaled when it ends,
    /// which is also what resolves it in the channels.
    /// </summary>
    private async Task AlertAsync(string condition, bool raised, string reason)
    {
        var alert = new ClusterAlert(condition, raised ? "critical" : "info", Resolved: !raised) { Time = time.GetUtcNow(), Reason = reason };
        if (raised)
        {
            feed.Publish([alert]);
            return;
        }
        try { await log.RecordAsync(alert, CancellationToken.None); }
        catch (Exception e) when (e is not OperationCanceledException) { feed.Publish([alert]); }
    }

    /// <summary>
    /// How long ago the lease ran out by this instance's own clock (counted from the last renewal sent); negative while
    /// fresh. Until the log has been read once, the epochs this instance holds may be old: stale from the start.
    /// </summary>
    private TimeSpan Stale() =>
        !CaughtUp() ? time.GetElapsedTime(_started) + TimeSpan.FromTicks(1)
        : (presence.LastRenewedAt is { } sent ? time.GetElapsedTime(sent) : time.GetElapsedTime(_started)) - lease;

    private async Task<bool> FailsafeAsync(CancellationToken ct)
    {
        // Peers are asked a few times per lease, not every tick; their answer holds until the next time.
        if (time.GetElapsedTime(Interlocked.Read(ref _askedAt)) < lease / 4 && _askedAt != 0) return _failsafe;
        Interlocked.Exchange(ref _askedAt, time.GetTimestamp());
        var registered = Registered();
        if (registered.Count == 0) return false;
        var reports = await peers.AskAsync(registered.Where(r => r.Name != presence.Name).Select(r => r.ApiUrl).OfType<Uri>(), ct);
        var mine = services.ToDictionary(s => s.Spec.Name, s => s.Loop.State.Epoch);
        bool holds = RoutingLease.Failsafe([.. registered.Select(r => r.Name)], presence.Name, mine, reports, out string why);
        _failsafeWhy = why;
        return holds;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 630, Level = LogLevel.Warning, Message = "{Service}: routing {Gate} (lease stale for {StaleMs:0} ms); {Closed} open connections closed")]
        public static partial void Gated(ILogger logger, string service, RouteGate gate, double staleMs, int closed);

        [LoggerMessage(EventId = 631, Level = LogLevel.Critical, Message = "etcd is unreachable for this instance and its peers alike: failsafe, proxies keep routing to the current primaries and nothing is failed over ({Why})")]
        public static partial void FailsafeOn(ILogger logger, string why);

        [LoggerMessage(EventId = 632, Level = LogLevel.Warning, Message = "failsafe ended")]
        public static partial void FailsafeOff(ILogger logger);
    }
}
