using System.Collections.Immutable;
using System.Threading.Channels;
using Understudy.Coordination;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Failover;

namespace Understudy.Cluster;

/// <summary>
/// Many eyes. Every instance publishes what its own checks say of each member (<c>views/SERVICE/MEMBER/INSTANCE</c>,
/// on its lease: <c>up</c>, <c>failing</c>, <c>down</c> or <c>unknown</c>; written on change and refreshed), and hands
/// its loops what the other live instances say, so the leader fails a primary over only when a quorum agrees. A first
/// failed check of the routable primary is told to the others as a suspicion, so every instance confirms back to back
/// and the quorum forms within fall × timeout rather than at each instance's next interval.
/// </summary>
public sealed partial class ClusterViews(EtcdStore store, InstancePresence presence, ClusterSuspicions suspicions, string instance,
    IReadOnlyDictionary<string, ServiceRuntime> services, TimeProvider time, ILogger<ClusterViews> logger)
{
    /// <summary>Views are rewritten this often even unchanged, so a reader can tell a live instance's view from an old one.</summary>
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);

    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _gate = new();
    // service → member → this instance's view as last computed (what should be in etcd).
    private readonly Dictionary<string, Dictionary<string, string>> _mine = [];
    // service → member → instance → its view, as etcd has it.
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, string>>> _theirs = [];
    private readonly Dictionary<string, string> _told = [];
    // The other live instances; null until the registry was first read (until then no loop is told anything: it keeps Unknown).
    private ImmutableSortedSet<string>? _live;

    /// <summary>A loop published a new state: this instance's view of its members, and a suspicion on a first failed check.</summary>
    public void Published(ServiceState before, ServiceState after)
    {
        bool changed = false;
        lock (_gate)
        {
            var mine = _mine.TryGetValue(after.Name, out var m) ? m : _mine[after.Name] = [];
            foreach (MemberState member in after.Members.Values)
            {
                string view = ViewOf(member);
                if (mine.GetValueOrDefault(member.Name) == view) continue;
                mine[member.Name] = view;
                changed = true;
            }
        }
        if (changed) _dirty.Writer.TryWrite(true);
        // Only a failure of this instance's own check is told: one that came as another instance's suspicion (the member
        // is suspected now) was told by that instance already, and echoing it back would bounce between them.
        if (after.Routable is { } routable && after.Members[routable] is { Tracker.Failures: > 0, Health: not Health.Down, Suspected: false } failing
            && before.Members[routable].Tracker.Failures == 0 && !before.Members[routable].Suspected)
            suspicions.Tell(after.Name, CheckResult.ConnectFailed(routable, time.GetUtcNow(), $"a check failed ({failing.LastDetail})"));
    }

    private static string ViewOf(MemberState m) => m.Health switch
    {
        Health.Down => "down",
        Health.Up when m.Tracker.Failures > 0 => "failing",
        Health.Up => "up",
        _ => "unknown",
    };

    /// <summary>Who is registered now (read every half second by the node): a peer that left no longer counts.</summary>
    public void Registered(IReadOnlyList<RegisteredInstance> instances)
    {
        var live = instances.Select(i => i.Name).Where(n => n != instance).ToImmutableSortedSet(StringComparer.Ordinal);
        lock (_gate)
        {
            if (_live is not null && live.SetEquals(_live)) return;
            _live = live;
        }
        Hand();
    }

    /// <summary>A view key changed in etcd (the log follower watches the whole cluster prefix).</summary>
    public void Changed(EtcdChange change)
    {
        string[] parts = change.Entry.Key[store.Keys.Views.Length..].Split('/');
        if (parts is not [var service, var member, var by] || by == instance) return;
        lock (_gate)
        {
            var members = _theirs.TryGetValue(service, out var ms) ? ms : _theirs[service] = [];
            var views = members.TryGetValue(member, out var vs) ? vs : members[member] = [];
            if (change.Deleted) views.Remove(by);
            else views[by] = change.Entry.Value;
        }
        Hand(service);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        await ReadAllAsync(ct);
        long lease = 0;
        long refreshed = time.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                wait.CancelAfter(RefreshEvery);
                try { await _dirty.Reader.ReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            }
            if (presence.CurrentLease is not { } current) continue;
            // Everything again on a new lease (the keys went with the old one) and at each refresh; else what changed.
            bool all = current.Id != lease || time.GetElapsedTime(refreshed) >= RefreshEvery;
            try
            {
                await WriteAsync(current.Id, all, ct);
                lease = current.Id;
                if (all) refreshed = time.GetTimestamp();
            }
            catch (CoordinationUnavailable e) { Log.NotWritten(logger, e.Message); }
        }
    }

    private readonly Dictionary<string, string> _written = [];

    private async Task WriteAsync(long lease, bool all, CancellationToken ct)
    {
        List<(string Key, string Value)> puts;
        lock (_gate)
            puts = [.. _mine.SelectMany(s => s.Value.Select(m => (Key: store.Keys.View(s.Key, m.Key, instance), m.Value)))
                .Where(p => all || _written.GetValueOrDefault(p.Key) != p.Value)];
        foreach (var (key, value) in puts)
        {
            await store.PutAsync(key, value, lease, ct);
            _written[key] = value;
        }
    }

    private async Task ReadAllAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                EtcdRange all = await store.RangeAsync(store.Keys.Views, ct);
                foreach (EtcdEntry e in all.Entries) Changed(new EtcdChange(e, Deleted: false));
                return;
            }
            catch (CoordinationUnavailable e)
            {
                Log.NotRead(logger, e.Message);
                await Task.Delay(store.CallTimeout, time, ct);
            }
        }
    }

    /// <summary>Hands each loop (or one) what its peers see, when that differs from what it was last handed.</summary>
    private void Hand(string? only = null)
    {
        foreach (var (name, runtime) in services)
        {
            if (only is not null && name != only) continue;
            PeerViews views;
            lock (_gate)
            {
                if (_live is null) return;
                var down = _theirs.GetValueOrDefault(name)?.ToImmutableDictionary(m => m.Key,
                    m => m.Value.Where(v => v.Value == "down").Select(v => v.Key).ToImmutableSortedSet(StringComparer.Ordinal))
                    ?? ImmutableDictionary<string, ImmutableSortedSet<string>>.Empty;
                int quorum = runtime.Spec.Failover.Quorum ?? PeerViews.Majority(_live.Count + 1);
                views = new PeerViews(instance, quorum, _live, down);
                string text = views.ToString();
                if (_told.GetValueOrDefault(name) == text) continue;
                _told[name] = text;
            }
            runtime.Loop.Post(new PeersObserved(views));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 660, Level = LogLevel.Warning, Message = "could not publish this instance's views of the members ({Why}); trying again")]
        public static partial void NotWritten(ILogger logger, string why);

        [LoggerMessage(EventId = 661, Level = LogLevel.Warning, Message = "could not read the other instances' views ({Why}); trying again")]
        public static partial void NotRead(ILogger logger, string why);
    }
}
