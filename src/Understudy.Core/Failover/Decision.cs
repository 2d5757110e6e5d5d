using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// What the decider concluded from one input: the new state, the steps to run in order, the events to
/// journal (before any step runs) and one sentence saying why.
/// </summary>
/// <param name="Refused">Set when an operator's input was not carried out: what the API answers.</param>
public sealed record Decision(ServiceState State, ImmutableArray<Step> Plan, string Reason, ImmutableArray<JournalEvent> Events, Refusal? Refused = null)
{
    public bool Changed => !Plan.IsEmpty || !Events.IsEmpty;
}
