using System.Collections.Immutable;
using System.Diagnostics;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// The failover rules as a pure function: state + input + the current instant → decision. It reads no
/// clock and does no I/O, so every rule in DESIGN.md is tested step by step and by seeded random runs.
/// </summary>
public static partial class Decider
{
    public static Decision Decide(ServiceState state, Input input, DateTimeOffset now)
    {
        var o = new Outcome(state, now);
        switch (input)
        {
            case CheckObserved c: OnCheck(o, c.Result); break;
            case StepCompleted s: OnStepCompleted(o, s); break;
            case ControllerStarted: OnControllerStarted(o); break;
            case MemberRejoined r: OnRejoined(o, r); break;
            case ChangeRequested r: OnChangeRequested(o, r); break;
            case RequestApproved a: OnApproved(o, a); break;
            case RequestRejected r: OnRejected(o, r); break;
            case Paused p: OnPaused(o, p); break;
            case Resumed r: OnResumed(o, r); break;
            case ClockTicked: break;
            default: throw new UnreachableException(input.GetType().Name);
        }
        // Every input re-reads the rules, so time passing (a cooldown ending, a request's deadline) acts at the next input.
        ExpireOverdue(o);
        Evaluate(o);
        return o.Build();
    }

    /// <summary>Collects the events and steps of one decision; local to one call, so the decider stays pure.</summary>
    private sealed class Outcome(ServiceState state, DateTimeOffset now)
    {
        private readonly ImmutableArray<JournalEvent>.Builder _events = ImmutableArray.CreateBuilder<JournalEvent>();
        private readonly ImmutableArray<Step>.Builder _plan = ImmutableArray.CreateBuilder<Step>();
        private readonly List<string> _reasons = [];

        public ServiceState State { get; set; } = state;
        public DateTimeOffset Now { get; } = now;

        /// <summary>Set when an operator's input is not carried out.</summary>
        public Refusal? Refused { get; set; }

        /// <summary>The decision's sentence when nothing is journaled.</summary>
        public string Quiet { get; set; } = "nothing to do";

        /// <summary>Journals an event of the current epoch; the reason is also the decision's reason.</summary>
        public void Event(string type, string? member, string reason, params (string Key, object? Value)[] details) =>
            EventBy(Actors.Controller, type, member, reason, details);

        /// <summary>As <see cref="Event"/>, for a fact an operator caused.</summary>
        public void EventBy(string actor, string type, string? member, string reason, params (string Key, object? Value)[] details)
        {
            Record(type, member, reason, details, actor);
            if (!_reasons.Contains(reason)) _reasons.Add(reason);
        }

        /// <summary>Alerts repeat a reason already given, so they stay out of the decision's sentence.</summary>
        public void Alert(string severity, string summary, string? member = null) =>
            Record(EventTypes.AlertRaised, member, summary, [("severity", severity)]);

        private void Record(string type, string? member, string reason, (string Key, object? Value)[] details, string actor = Actors.Controller)
        {
            var d = ImmutableDictionary.CreateBuilder<string, object?>();
            d["reason"] = reason;
            foreach (var (key, value) in details) d[key] = value;
            _events.Add(new JournalEvent(Now, State.Name, member, State.Epoch, type, actor, d.ToImmutable()));
        }

        public void Do(Step step) => _plan.Add(step);

        public Decision Build() => new(
            State, _plan.ToImmutable(), _reasons.Count == 0 ? Refused?.Message ?? Quiet : string.Join("; ", _reasons), _events.ToImmutable(), Refused);
    }
}
