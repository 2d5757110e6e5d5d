using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// Collects the events and steps of one decision; local to one call, so the decider stays pure. Every change of
/// state goes through <see cref="ServiceFold.Evolve"/>: the rules emit facts and read the folded state back.
/// </summary>
internal sealed class DecisionBuilder(ServiceState state, DateTimeOffset now)
{
    private readonly ImmutableArray<JournalEvent>.Builder _events = ImmutableArray.CreateBuilder<JournalEvent>();
    private readonly ImmutableArray<Observation>.Builder _observations = ImmutableArray.CreateBuilder<Observation>();
    private readonly ImmutableArray<Step>.Builder _plan = ImmutableArray.CreateBuilder<Step>();
    private readonly List<string> _reasons = [];

    public ServiceState State { get; private set; } = state;

    public DateTimeOffset Now { get; } = now;

    /// <summary>Set when an operator's input is not carried out.</summary>
    public Refusal? Refused { get; set; }

    /// <summary>The change the veto hooks allowed in this decision: it starts without asking them again.</summary>
    public (RequestKind Kind, string To, string? Request)? VetoCleared { get; set; }

    /// <summary>The decision's sentence when nothing is journaled.</summary>
    public string Quiet { get; set; } = "nothing to do";

    /// <summary>
    /// Journals <paramref name="e"/> and folds it in. Its time, service and epoch are this decision's unless it
    /// carries its own (an event that starts an epoch; a fault stamped when it took effect). Its reason is also the decision's.
    /// </summary>
    public void Emit(JournalEvent e)
    {
        e = Record(e);
        if (!_reasons.Contains(e.Reason)) _reasons.Add(e.Reason);
    }

    /// <summary>Alerts repeat a reason already given, so they stay out of the decision's sentence.</summary>
    public void Alert(string severity, string summary, string? member = null, string? once = null) =>
        Record(new AlertRaised(severity, once) { Member = member, Reason = summary });

    /// <summary>Folds what a check or a peer taught; not journaled (re-learned after a restart).</summary>
    public void Observe(Observation observed)
    {
        State = ServiceFold.Evolve(State, observed);
        _observations.Add(observed);
    }

    public void Do(Step step) => _plan.Add(step);

    public Decision Build() => new(
        State, _plan.ToImmutable(), _reasons.Count == 0 ? Refused?.Message ?? Quiet : string.Join("; ", _reasons), _events.ToImmutable(), Refused,
        _observations.ToImmutable());

    private JournalEvent Record(JournalEvent e)
    {
        e = e with
        {
            Time = e.Time == default ? Now : e.Time,
            Service = State.Name,
            Epoch = e.Epoch == 0 ? State.Epoch : e.Epoch,
        };
        State = ServiceFold.Evolve(State, e);
        _events.Add(e);
        return e;
    }
}
