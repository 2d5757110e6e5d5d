using Microsoft.Extensions.Logging;

namespace Understudy.Coordination;

public sealed partial class LeaderElection
{
    /// <summary>Leads until the term ends: the key deleted or re-created by another, or the lease lost or not renewed in time.</summary>
    private async Task LeadAsync(LeaderToken term, CancellationToken ct)
    {
        Volatile.Write(ref _held, term);
        Volatile.Write(ref _leaderName, term.Name);
        Log.Gained(logger, term.Name, term.CreateRevision, term.LeaseId);
        _changes.Writer.TryWrite(new LeadershipGained(term));

        using var holding = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task key = WatchKeyAsync(term, ended, holding.Token), lease = WatchLeaseAsync(term, ended, holding.Token);
        try
        {
            Depose(term, await ended.Task.WaitAsync(ct).ConfigureAwait(false));
        }
        finally
        {
            await holding.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(key, lease).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WatchKeyAsync(LeaderToken term, TaskCompletionSource<string> ended, CancellationToken ct)
    {
        long from = term.CreateRevision + 1;
        while (!ended.Task.IsCompleted)
        {
            await store.WatchAsync(store.Keys.Leader, from, changes =>
            {
                if (changes.FirstOrDefault(c => c.Deleted || c.Entry.CreateRevision != term.CreateRevision) is { } c)
                    ended.TrySetResult(c.Deleted ? "the leader key was deleted" : $"the leader key is {c.Entry.Value}'s now");
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
            // The history to resume from is compacted: look at the key as it is now.
            try
            {
                EtcdRange now = await store.RangeAsync(store.Keys.Leader, ct, limit: 1).ConfigureAwait(false);
                if (now.Entries is [var e] && e.Key == store.Keys.Leader && e.CreateRevision == term.CreateRevision) from = now.Revision + 1;
                else ended.TrySetResult("the leader key is gone");
            }
            catch (CoordinationUnavailable)
            {
                await Task.Delay(store.CallTimeout, time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Wakes when the lease would stop being fresh (or a third of its TTL, whichever is sooner) and looks.</summary>
    private async Task WatchLeaseAsync(LeaderToken term, TaskCompletionSource<string> ended, CancellationToken ct)
    {
        while (true)
        {
            if (presence.CurrentLease is not { } lease || lease.Id != term.LeaseId)
            {
                ended.TrySetResult("the instance lease was lost");
                return;
            }
            TimeSpan left = presence.FreshFor(lease.GrantedTtl);
            if (left <= TimeSpan.Zero)
            {
                ended.TrySetResult($"the lease was not renewed within {lease.GrantedTtl.TotalSeconds:0} s");
                return;
            }
            await Task.Delay(left < lease.GrantedTtl / 3 ? left : lease.GrantedTtl / 3, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for another instance's key to go (deleted, or expired with its lease), keeping <see cref="LeaderName"/> current.</summary>
    private async Task FollowAsync(EtcdEntry holder, CancellationToken ct)
    {
        using var following = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            // From just after the write we saw: a delete since then is in the history.
            await store.WatchAsync(store.Keys.Leader, holder.ModRevision + 1, changes =>
            {
                foreach (EtcdChange c in changes) Volatile.Write(ref _leaderName, c.Deleted ? null : c.Entry.Value);
                if (changes.Any(c => c.Deleted)) following.Cancel();
                return Task.CompletedTask;
            }, following.Token).ConfigureAwait(false);
            // Compacted: campaigning again reads the key afresh.
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The key is gone: campaign.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "{Name} leads (term {Term}, lease {Lease})")]
        public static partial void Gained(ILogger logger, string name, long term, long lease);

        [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "{Name} no longer leads (term {Term}): {Reason}")]
        public static partial void Lost(ILogger logger, string name, long term, string reason);

        [LoggerMessage(EventId = 522, Level = LogLevel.Warning, Message = "{Name}: campaign interrupted: {Why}")]
        public static partial void CampaignFailed(ILogger logger, string name, string why);

        [LoggerMessage(EventId = 523, Level = LogLevel.Error, Message = "{Name}: could not release the leader key ({Why}); it ends with this instance's lease")]
        public static partial void ReleaseFailed(ILogger logger, string name, string why);
    }
}
