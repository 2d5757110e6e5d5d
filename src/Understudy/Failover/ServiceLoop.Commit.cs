using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Failover;

/// <summary>A decision's way into the journal and out to the state, the routes and the readers.</summary>
public sealed partial class ServiceLoop
{
    // Set from a commit until its state is published: readers of the journal wait on it, so an event read there is in State too.
    private volatile TaskCompletionSource? _publishing;

    /// <summary>
    /// Completes once the state of any commit in flight is published: a reader that saw an event in the journal awaits it
    /// before reading <see cref="State"/> (the status), which otherwise lags the commit by a hop to the pool.
    /// </summary>
    public Task PublishedAsync() => _publishing?.Task ?? Task.CompletedTask;

    /// <summary>
    /// Commits the decision's events (none: nothing to commit) and then publishes its state; a commit refused is observed and
    /// thrown as <see cref="NotCommittedException"/>, nothing published.
    /// </summary>
    private async Task<Decision> CommitAndPublishAsync(Input input, Decision decision, Executor executor, CancellationToken abort)
    {
        if (decision.Events.IsEmpty)
        {
            Publish(decision.State);
            return decision;
        }
        await StopAtFailpointAsync(decision, afterCommit: false, abort);
        var publishing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _publishing = publishing;
        try
        {
            switch (await _log.CommitAsync(State.Name, _position, decision.Events, abort))
            {
                case CommitResult.Committed c:
                    decision = decision with { Events = [.. c.Stored] };
                    Interlocked.Exchange(ref _position, c.Position);
                    CountTowardSnapshot(decision.Events);
                    break;
                case CommitResult.Refused r:
                    if (r.Deposed && _role == LoopRole.Leader) _role = LoopRole.Follower;
                    Log.NotCommitted(_logger, State.Name, input.GetType().Name, r.Why);
                    await ObserveAsync(input, decision, executor, abort);
                    throw new NotCommittedException($"{State.Name}: not committed ({r.Why}); nothing was done");
            }
            if (_failpoint is not null) Released(publishing); // a test's stop after the commit holds no reader
            await StopAtFailpointAsync(decision, afterCommit: true, abort);
            Publish(decision.State);
        }
        finally
        {
            Released(publishing);
        }
        return decision;
    }

    /// <summary>Every <see cref="SnapshotPolicy.Every"/> events the one that decides writes the state down whole (the log before it may then go).</summary>
    private void CountTowardSnapshot(IReadOnlyList<JournalEvent> events)
    {
        _sinceSnapshot = events.Any(e => e is ServiceSnapshot) ? events.Count - 1 - events.ToList().FindLastIndex(e => e is ServiceSnapshot) : _sinceSnapshot + events.Count;
        if (_sinceSnapshot >= _snapshotEvery && _role != LoopRole.Follower && !_stopping)
        {
            Post(new SnapshotDue(_sinceSnapshot));
            _sinceSnapshot = 0;
        }
    }

    private async Task StopAtFailpointAsync(Decision decision, bool afterCommit, CancellationToken abort)
    {
        if (_failpoint is not { } f || f.AfterCommit != afterCommit || decision.Events.All(e => e.Type != f.EventType)) return;
        Log.Failpoint(_logger, State.Name, afterCommit ? "after" : "before", f.EventType);
        await Task.Delay(Timeout.Infinite, abort);
    }

    private void Released(TaskCompletionSource publishing)
    {
        _publishing = null;
        publishing.TrySetResult();
    }

    private void Publish(ServiceState after)
    {
        ServiceState before = State;
        Volatile.Write(ref _state, after);
        _routes?.Publish(Routing.For(after));
        if (after.Epoch > before.Epoch) EpochAdvanced?.Invoke(before, after);
        Published?.Invoke(before, after);
    }
}
