using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Failover;

/// <summary>A decision's way into the journal and out to the state, the routes and the readers.</summary>
public sealed partial class ServiceLoop
{
    // Commits and folds whose events a reader of the journal may see before their state is published (a fold is queued
    // before the local copy is written): readers wait on _settled until there are none.
    private readonly Lock _publishGate = new();
    private int _unpublished;
    private TaskCompletionSource? _settled;

    /// <summary>
    /// Completes once the state of every commit in flight, and of every fold of the leader's events queued, is published: a
    /// reader that saw an event in the journal awaits it before reading <see cref="State"/> (the status), which otherwise
    /// lags the journal by a hop to the pool, or on a follower by the loop's turn.
    /// </summary>
    public Task PublishedAsync()
    {
        lock (_publishGate) return _settled?.Task ?? Task.CompletedTask;
    }

    private void MarkUnpublished()
    {
        lock (_publishGate)
            if (_unpublished++ == 0) _settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void MarkPublished()
    {
        TaskCompletionSource? settled = null;
        lock (_publishGate)
            if (--_unpublished == 0) (settled, _settled) = (_settled, null);
        settled?.TrySetResult();
    }

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
        MarkUnpublished();
        bool published = false;
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
            if (AtFailpoint(decision, afterCommit: true))
            {
                published = true; // a test's stop after the commit holds no reader
                MarkPublished();
            }
            await StopAtFailpointAsync(decision, afterCommit: true, abort);
            Publish(decision.State);
        }
        finally
        {
            if (!published) MarkPublished();
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

    private bool AtFailpoint(Decision decision, bool afterCommit) =>
        _failpoint is { } f && f.AfterCommit == afterCommit && decision.Events.Any(e => e.Type == f.EventType);

    private async Task StopAtFailpointAsync(Decision decision, bool afterCommit, CancellationToken abort)
    {
        if (!AtFailpoint(decision, afterCommit)) return;
        Log.Failpoint(_logger, State.Name, afterCommit ? "after" : "before", _failpoint!.EventType);
        await Task.Delay(Timeout.Infinite, abort);
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
