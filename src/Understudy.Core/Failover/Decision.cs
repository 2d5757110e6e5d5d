using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// What the decider concluded from one input: the events to journal (before any step runs), the steps to run in
/// order, and one sentence saying why. <see cref="State"/> is the fold of <see cref="Observations"/> and
/// <see cref="Events"/>, in the order they were made, over the state the decider was handed.
/// </summary>
/// <param name="Refused">Set when an operator's input was not carried out: what the API answers.</param>
public sealed record Decision(ServiceState State, ImmutableArray<Step> Plan, string Reason, ImmutableArray<JournalEvent> Events,
    Refusal? Refused = null, ImmutableArray<Observation> Observations = default)
{
    public bool Changed => !Plan.IsEmpty || !Events.IsEmpty;
}
