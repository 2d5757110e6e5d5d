using System.Text.Json;
using Understudy.Coordination;
using Understudy.Core.Cluster;
using Understudy.Core.Topology;
using Understudy.Failover;

namespace Understudy.Cluster;

/// <summary>
/// This instance as a member of a cluster on etcd: its presence, its campaign for the leader key (only while its
/// services agree with the cluster's and it reads every record in the log), the log it follows, and the routing
/// lease over its proxies. When it gains the lead it first reads the log up to its own leader key, so it decides
/// from exactly the state the previous leader left; when it loses it, its loops stop committing at once.
/// </summary>
public sealed partial class ClusterNode(
    ControllerSpec controller, CoordinationSpec coordination, IReadOnlyList<ServiceRuntime> services, EtcdStore store, InstancePresence presence,
    LeaderElection election, LogFollower follower, ClusterRouting routing, ClusterViews views, ServiceDigest digest, Journal.SqliteJournal mirror, Journal.JournalFeed feed, IHostApplicationLifetime lifetime,
    TimeProvider time, ILogger<ClusterNode> logger) : BackgroundService, IClusterState
{
    private static readonly TimeSpan RegistryEvery = TimeSpan.FromMilliseconds(500);
    private Registry _registry = new([], new Dictionary<string, long>(), new Dictionary<string, long>(), null, time.GetUtcNow());
    private string? _disagreement;
    private bool _toldNewerSchema;

    /// <summary>What etcd said of the cluster when last read, and how far behind each instance is.</summary>
    private sealed record Registry(IReadOnlyList<RegisteredInstance> Instances, IReadOnlyDictionary<string, long> Lag, IReadOnlyDictionary<string, long> Mirrored,
        string? LeaderDigest, DateTimeOffset ReadAt);

    /// <summary>Work above the loops that only the leader does (site operations): told when the loops lead, and when they follow again.</summary>
    public Action<string>? Leading { get; set; }

    public Action? Following { get; set; }

    public string Cluster => coordination.Cluster;
    public string Instance => controller.Name;
    public bool IsLeader => election.Current is not null;

    public Uri? LeaderApi => election.LeaderName is { } leader && leader != Instance
        ? _registry.Instances.FirstOrDefault(i => i.Name == leader)?.ApiUrl : null;

    public RouteGate Gate => services.Select(s => s.Routes?.Gate ?? RouteGate.Open).DefaultIfEmpty(RouteGate.Open).Max();

    /// <summary>Why this instance may not lead, if it may not; null when it may.</summary>
    public string? Problem => follower.NewerSchema ?? _disagreement ?? (routing.Failsafe ? $"etcd unreachable: failsafe ({routing.FailsafeWhy})" : null);

    public ClusterView View()
    {
        Registry r = _registry;
        string? leader = election.LeaderName;
        return new ClusterView(Cluster, leader, Instance, Gate.ToString().ToLowerInvariant(),
            [.. r.Instances.Select(i => new InstanceView(i.Name, i.Api, i.Name == leader, i.Seen, r.Lag.GetValueOrDefault(i.Name), i.Version))], Problem);
    }

    public PeerReport Report() => new(Instance, presence.IsFresh(coordination.Lease), services.ToDictionary(s => s.Spec.Name, s => s.Loop.State.Epoch));

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        routing.Registered = () => _registry.Instances;
        election.MayCampaign = () => Problem is null;
        // Decisions start once the loops run (after the host has started and bound its listeners).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (ct.Register(() => started.TrySetCanceled(ct)))
            await started.Task;
        await follower.StartAfterMirrorAsync(ct);
        Task[] parts = [presence.RunAsync(ct), follower.RunAsync(ct), routing.RunAsync(ct), views.RunAsync(ct), CampaignAsync(ct), FollowLeadershipAsync(ct), RegistryAsync(ct), CompactAsync(ct)];
        try { await Task.WhenAll(parts); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Step down first, so another instance takes over at once rather than a lease later.
        try { await election.ResignAsync(cancellationToken); }
        catch (CoordinationUnavailable e) { Log.ResignFailed(logger, e.Message); }
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Campaigns again after stepping down (an unconfirmed commit), giving the others a moment first.</summary>
    private async Task CampaignAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await election.RunAsync(ct);
            await Task.Delay(coordination.Lease, time, ct);
        }
    }

    public async Task StepDownAsync(string why)
    {
        Log.SteppingDown(logger, why);
        // It has stopped leading once ResignAsync returns or throws; only the leader key's early release can fail.
        try { await election.ResignAsync(); }
        catch (CoordinationUnavailable e) { Log.ReleaseFailed(logger, e.Message); }
    }

    /// <summary>
    /// This process stood still: a leader whose lease may have run out meanwhile (its last keep-alive was sent more than
    /// a TTL ago) steps down before it acts on anything, rather than waiting to find its next commit refused.
    /// </summary>
    public void Stalled(TimeSpan pause)
    {
        if (election.LeaderName != Instance || presence.CurrentLease is not { } lease || presence.IsFresh(lease.GrantedTtl)) return;
        _ = StepDownAsync($"this instance stood still for {pause.TotalMilliseconds:0} ms: its lease may have run out meanwhile");
    }

    private async Task FollowLeadershipAsync(CancellationToken ct)
    {
        await foreach (LeadershipChange change in election.Changes.ReadAllAsync(ct))
        {
            if (change is LeadershipLost lost)
            {
                foreach (ServiceRuntime s in services) s.Loop.Follow(lost.Reason);
                Following?.Invoke();
                continue;
            }
            LeaderToken term = change.Token;
            // Every commit of earlier leaders precedes this key's creation: read the log that far before deciding.
            if (!await follower.WaitForAsync(term.CreateRevision, coordination.Lease, ct))
            {
                await StepDownAsync($"the log could not be read up to revision {term.CreateRevision} within the lease");
                continue;
            }
            await PublishServicesAsync(ct);
            foreach (ServiceRuntime s in services) s.Loop.Lead(Instance, term.CreateRevision);
            Leading?.Invoke($"as the new leader ({Instance})");
        }
    }

    /// <summary>The leader's services, so an instance that differs can say which key.</summary>
    private async Task PublishServicesAsync(CancellationToken ct)
    {
        try { await store.PutAsync(store.Keys.Root + "services", JsonSerializer.Serialize(digest.Entries), 0, ct); }
        catch (CoordinationUnavailable e) { Log.PublishFailed(logger, e.Message); }
    }

    private async Task RegistryAsync(CancellationToken ct)
    {
        (long Revision, long Lease) reported = (-1, 0);
        using var timer = new PeriodicTimer(RegistryEvery, time);
        do
        {
            try
            {
                // How far the log is read, not every key: progress keys are keys too, and reporting them would never end.
                // (Again on a new lease: the key went with the old one.)
                if (presence.CurrentLease is { } lease && (follower.LogRevision, lease.Id) != reported)
                {
                    await store.PutAsync(store.Keys.Progress(Instance), follower.LogRevision.ToString(System.Globalization.CultureInfo.InvariantCulture), lease.Id, ct);
                    reported = (follower.LogRevision, lease.Id);
                }
                await ReadRegistryAsync(ct);
                await RefuseNewerSchemaAsync();
            }
            catch (CoordinationUnavailable) { /* the routing lease deals with an unreachable etcd */ }
        } while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task ReadRegistryAsync(CancellationToken ct)
    {
        var instances = await presence.ReadAllAsync(ct);
        EtcdRange progress = await store.RangeAsync(store.Keys.Progress(""), ct);
        var lag = new Dictionary<string, long>(StringComparer.Ordinal);
        var mirrored = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (EtcdEntry p in progress.Entries)
        {
            if (!long.TryParse(p.Value, out long revision)) continue;
            string name = p.Key[store.Keys.Progress("").Length..];
            mirrored[name] = revision;
            lag[name] = await follower.CountBehindAsync(revision, ct);
        }
        string? leader = election.LeaderName;
        string? leaderDigest = instances.FirstOrDefault(i => i.Name == leader)?.Digest;
        _registry = new Registry(instances, lag, mirrored, leaderDigest, time.GetUtcNow());
        views.Registered(instances);
        _disagreement = await DisagreementAsync(instances, leader, leaderDigest, ct);
    }

    /// <summary>
    /// A record this version cannot read means a newer Understudy wrote the log: folding on past it could be wrong, so
    /// this instance stops leading (routing goes on by what it could fold) and says so once. Upgrade it.
    /// </summary>
    private async Task RefuseNewerSchemaAsync()
    {
        if (follower.NewerSchema is not { } why) return;
        if (IsLeader) await StepDownAsync(why);
        if (_toldNewerSchema) return;
        _toldNewerSchema = true;
        feed.Publish([new Core.Journal.ClusterAlert($"schema:{Instance}", "critical") { Time = time.GetUtcNow(), Reason = $"{Instance}: {why}" }]);
    }

    /// <summary>
    /// Only an instance whose services match the cluster's may lead: the leader's, or — with no leader — those of
    /// a majority of the registered instances. A mismatch names the first key that differs.
    /// </summary>
    private async Task<string?> DisagreementAsync(IReadOnlyList<RegisteredInstance> instances, string? leader, string? leaderDigest, CancellationToken ct)
    {
        string? cluster = leader is not null && leader != Instance ? leaderDigest
            : leader is null ? instances.GroupBy(i => i.Digest).FirstOrDefault(g => g.Count() * 2 > instances.Count)?.Key : null;
        if (cluster is null || cluster == digest.Sha256) return null;
        string which = "the services differ";
        if (await store.GetAsync(store.Keys.Root + "services", ct) is { } published
            && JsonSerializer.Deserialize<Dictionary<string, string>>(published.Value) is { } theirs
            && ServiceDigest.FirstDifference(digest.Entries, theirs) is { } first)
            which = first;
        string problem = $"this instance's config differs from the cluster's ({which}); it routes by the log but cannot lead";
        if (problem != _disagreement)
        {
            Log.Disagrees(logger, problem);
            feed.Publish([new Core.Journal.ClusterAlert($"config:{Instance}", "critical") { Time = time.GetUtcNow(), Reason = $"{Instance}: {problem}" }]);
        }
        return problem;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 640, Level = LogLevel.Warning, Message = "stepping down: {Why}")]
        public static partial void SteppingDown(ILogger logger, string why);

        [LoggerMessage(EventId = 641, Level = LogLevel.Warning, Message = "could not resign on the way out ({Why}); the leader key ends with this instance's lease")]
        public static partial void ResignFailed(ILogger logger, string why);

        [LoggerMessage(EventId = 642, Level = LogLevel.Error, Message = "{Problem}")]
        public static partial void Disagrees(ILogger logger, string problem);

        [LoggerMessage(EventId = 646, Level = LogLevel.Warning, Message = "stepped down, but could not release the leader key ({Why}); it ends with this instance's lease")]
        public static partial void ReleaseFailed(ILogger logger, string why);

        [LoggerMessage(EventId = 643, Level = LogLevel.Warning, Message = "could not publish this leader's services ({Why})")]
        public static partial void PublishFailed(ILogger logger, string why);
    }
}
