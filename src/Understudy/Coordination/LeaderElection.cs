using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Understudy.Coordination;

/// <summary>A change of this instance's leadership, in the order they happened.</summary>
public abstract record LeadershipChange(LeaderToken Token);

public sealed record LeadershipGained(LeaderToken Token) : LeadershipChange(Token);

/// <param name="Reason">Why, for the journal and the log: resigned, the key deleted, the lease lost or not renewed in time.</param>
public sealed record LeadershipLost(LeaderToken Token, string Reason) : LeadershipChange(Token);

/// <summary>
/// Campaigns for the leader key (<c>/understudy/{cluster}/leader</c>, created if absent on this instance's lease)
/// and, while another instance holds it, waits for it to go. Safety contract: <see cref="Current"/> is this
/// instance's term only while its lease is surely alive by <see cref="InstancePresence.IsFresh"/> — it turns null
/// before etcd could expire the key, whatever the loop is doing — and the key is still the one it created as far
/// as the watch has seen. Every commit must still go through <see cref="EtcdStore.AppendAsync"/>, which etcd checks
/// against the key itself.
/// </summary>
public sealed partial class LeaderElection(EtcdStore store, InstancePresence presence, TimeProvider time, ILogger<LeaderElection> logger)
{
    private static readonly TimeSpan PresencePoll = TimeSpan.FromMilliseconds(100);
    private readonly Channel<LeadershipChange> _changes = Channel.CreateUnbounded<LeadershipChange>();
    private readonly Lock _campaignLock = new();
    private CancellationTokenSource? _campaign;
    private LeaderToken? _held;
    private string? _leaderName;

    public LeaderToken? Current =>
        Volatile.Read(ref _held) is { } t && presence.CurrentLease is { } lease && lease.Id == t.LeaseId && presence.IsFresh(lease.GrantedTtl) ? t : null;

    /// <summary>The leader's name as last read from etcd (this instance's while it leads); null when the key was last seen gone.</summary>
    public string? LeaderName => Volatile.Read(ref _leaderName);

    public ChannelReader<LeadershipChange> Changes => _changes.Reader;

    /// <summary>Asked before each attempt to take the key: an instance whose services differ from the cluster's must not lead.</summary>
    public Func<bool>? MayCampaign { get; set; }

    /// <summary>Campaigns until <paramref name="ct"/> is cancelled (throws) or <see cref="ResignAsync"/> is called (returns).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var campaign = CancellationTokenSource.CreateLinkedTokenSource(ct);
        lock (_campaignLock) _campaign = campaign;
        try
        {
            while (true)
            {
                try { await CampaignOnceAsync(campaign.Token).ConfigureAwait(false); }
                catch (CoordinationUnavailable e)
                {
                    Log.CampaignFailed(logger, presence.Name, e.Message);
                    await Task.Delay(store.CallTimeout, time, campaign.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Resigned.
        }
        finally
        {
            lock (_campaignLock) _campaign = null;
            Depose(Volatile.Read(ref _held), "stopped campaigning");
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops campaigning and, if this instance leads, stops leading at once, then deletes the leader key if it is
    /// still this term's (a transaction on its create revision), so another instance may win without waiting for a lease.
    /// </summary>
    public async Task ResignAsync(CancellationToken ct = default)
    {
        // Stop leading first, so that the campaign's end, which follows, finds nothing left to report.
        LeaderToken? term = Volatile.Read(ref _held);
        bool ended = Depose(term, "resigned");
        lock (_campaignLock) _campaign?.Cancel();
        if (ended) await store.DeleteIfCreatedAsync(store.Keys.Leader, term!.CreateRevision, ct).ConfigureAwait(false);
    }

    private async Task CampaignOnceAsync(CancellationToken ct)
    {
        if (presence.CurrentLease is not { } lease || !presence.IsRegistered || !presence.IsFresh(lease.GrantedTtl) || MayCampaign?.Invoke() == false)
        {
            await Task.Delay(PresencePoll, time, ct).ConfigureAwait(false);
            return;
        }
        switch (await store.TryCreateAsync(store.Keys.Leader, presence.Name, lease.Id, ct).ConfigureAwait(false))
        {
            case CreateResult.Created created:
                await LeadAsync(new LeaderToken(presence.Name, created.Revision, lease.Id), ct).ConfigureAwait(false);
                break;
            // Ours already: an earlier attempt whose answer was lost.
            case CreateResult.Taken { Existing: var e } when e.Lease == lease.Id:
                await LeadAsync(new LeaderToken(presence.Name, e.CreateRevision, lease.Id), ct).ConfigureAwait(false);
                break;
            case CreateResult.Taken { Existing: var e }:
                Volatile.Write(ref _leaderName, e.Value);
                await FollowAsync(e, ct).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Ends this term once: true for the caller that ended it (it alone reports it).</summary>
    private bool Depose(LeaderToken? term, string reason)
    {
        if (term is null || Interlocked.CompareExchange(ref _held, null, term) != term) return false;
        // No longer known to lead; who does is learned from the key again.
        Interlocked.CompareExchange(ref _leaderName, null, term.Name);
        Log.Lost(logger, term.Name, term.CreateRevision, reason);
        _changes.Writer.TryWrite(new LeadershipLost(term, reason));
        return true;
    }

    // A campaign cancelled mid-transaction may have created the key all the same; on our lease, which the
    // presence keeps renewing, it would block every other instance. So on the way out, look.
    private async Task ReleaseAsync()
    {
        try
        {
            if (await store.GetAsync(store.Keys.Leader, CancellationToken.None).ConfigureAwait(false) is { } e && e.Lease == presence.CurrentLease?.Id)
                await store.DeleteIfCreatedAsync(store.Keys.Leader, e.CreateRevision, CancellationToken.None).ConfigureAwait(false);
        }
        catch (CoordinationUnavailable ex)
        {
            Log.ReleaseFailed(logger, presence.Name, ex.Message);
        }
    }
}
