using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Failover;

/// <summary>A cluster's side of the loop: leading, following, and folding the leader's committed events.</summary>
public sealed partial class ServiceLoop
{
    /// <summary>
    /// The leader committed these events, ending at <paramref name="position"/>; folded unless already. Readers of the journal
    /// (where the local copy lands next) wait for the fold (<see cref="PublishedAsync"/>).
    /// </summary>
    public void Fold(IReadOnlyList<JournalEvent> events, long position)
    {
        MarkUnpublished();
        if (!_inbox.TryWrite(new Folded(events, position))) MarkPublished();
    }

    /// <summary>This instance leads from now on (its log is caught up): the decider takes over with <see cref="LeadershipGained"/>.</summary>
    public void Lead(string instance, long term) => _inbox.TryWrite(new Leading(instance, term));

    /// <summary>This instance no longer leads: decisions are no longer committed or acted on here.</summary>
    public void Follow(string why) => _inbox.TryWrite(new Following(why));

    /// <summary>
    /// A follower keeps what its own checks taught (health, its proxy's suspicion), runs confirming checks, and
    /// records notes of its own; the leader decides everything else.
    /// </summary>
    private async Task<Decision> ObserveAsync(Input input, Decision decision, Executor executor, CancellationToken abort)
    {
        ServiceState observed = decision.Observations.Aggregate(State, (s, o) => ServiceFold.Evolve(s, o));
        Publish(observed);
        if (!_stopping) executor.Execute([.. decision.Plan.OfType<ConfirmMember>()]);
        if (input is not Noted note) return decision with { State = observed, Events = [], Plan = [] };
        JournalEvent stored = await _log.RecordAsync(decision.Events.Single(e => e.Type == note.Event.Type), abort);
        return decision with { State = observed, Events = [stored], Plan = [] };
    }

    private void Apply(Folded f)
    {
        try
        {
            if (f.Position <= _position) return; // our own commit, or a batch already folded
            ServiceState before = State;
            ServiceState after = f.Events.Aggregate(before, ServiceFold.Evolve);
            // State first, then the position: whoever sees the position advanced also sees the state it stands for.
            Publish(after);
            Interlocked.Exchange(ref _position, f.Position);
            CountTowardSnapshot(f.Events);
            foreach (JournalEvent e in f.Events) Log.Folded(_logger, e.Service, e.Epoch, e.Type, e.Member ?? "", e.Reason);
        }
        finally
        {
            MarkPublished();
        }
    }

    private sealed record Folded(IReadOnlyList<JournalEvent> Events, long Position) : Message;
    private sealed record Leading(string Instance, long Term) : Message;
    private sealed record Following(string Why) : Message;
}
