using Understudy.Core.Drills;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Incidents;

namespace Understudy.Metrics;

/// <summary>One failover or switchover as the journal told it, once it ended.</summary>
/// <param name="FirstSign">Failovers: the old primary's first sign of failure, as <c>understudy incident</c> finds it.</param>
public sealed record ChangeTimes(string Service, RequestKind Kind, bool Completed, DateTimeOffset? FirstSign, DateTimeOffset Started,
    DateTimeOffset? Fenced, DateTimeOffset? Promoted, DateTimeOffset? Switched, DateTimeOffset Ended)
{
    /// <summary>
    /// Seconds per phase, each from the last instant before it that happened: detection (first sign → started),
    /// fence (→ member.fenced; a switchover's is "drain"), promote (→ member.promoted), switch (→ traffic.switched),
    /// and total (started → completed) for completed changes only, so that it compares with targets.
    /// </summary>
    public IEnumerable<(string Phase, double Seconds)> Phases()
    {
        var chain = PhaseBreakdown.Chain(FirstSign ?? Started, [
            ("detection", FirstSign is null ? null : Started),
            (Kind == RequestKind.Failover ? "fence" : "drain", Fenced), ("promote", Promoted), ("switch", Switched)]);
        foreach (PhaseRecord p in chain)
            if (p.DurationMs is { } ms) yield return (p.Name, ms / 1000);
        if (Completed) yield return ("total", (Ended - Started).TotalSeconds);
    }

    /// <summary>First sign of failure → traffic.switched: the controller's RTO estimate, as in <c>understudy incident</c>.</summary>
    public double? RtoEstimateSeconds => Kind == RequestKind.Failover && FirstSign is { } from && Switched is { } to ? (to - from).TotalSeconds : null;
}

/// <summary>
/// Follows failovers and switchovers through the journal's events (one at a time per service, as the decider
/// runs them) and hands back each one's instants when it ends. One that was under way when this controller
/// started (resumed after a restart) is not timed: its start is in an earlier run.
/// </summary>
public sealed class FailoverTimer
{
    private readonly Dictionary<(string Service, string Member), Signs> _signs = [];
    private readonly Dictionary<string, ChangeTimes> _open = [];

    /// <summary>Since a member was last up: its first member.down, and the last member.suspected before it.</summary>
    private sealed record Signs(JournalEvent? Suspected, JournalEvent? Down);

    public ChangeTimes? Observe(JournalEvent e)
    {
        switch (e.Type)
        {
            case EventTypes.MemberUp when e.Member is { } m:
                _signs.Remove((e.Service, m));
                break;
            case EventTypes.MemberSuspected when e.Member is { } m:
                if (SignsOf(e.Service, m) is { Down: null } s) _signs[(e.Service, m)] = s with { Suspected = e };
                break;
            case EventTypes.MemberDown when e.Member is { } m:
                if (SignsOf(e.Service, m) is { Down: null } d) _signs[(e.Service, m)] = d with { Down = e };
                break;
            case EventTypes.FailoverStarted:
                _open[e.Service] = new ChangeTimes(e.Service, RequestKind.Failover, false, FirstSign(e), e.Time, null, null, null, e.Time);
                break;
            case EventTypes.SwitchoverStarted:
                _open[e.Service] = new ChangeTimes(e.Service, RequestKind.Switchover, false, null, e.Time, null, null, null, e.Time);
                break;
            case EventTypes.MemberFenced:
                Update(e, c => c with { Fenced = c.Fenced ?? e.Time });
                break;
            case EventTypes.MemberPromoted:
                Update(e, c => c with { Promoted = c.Promoted ?? e.Time });
                break;
            case EventTypes.TrafficSwitched:
                Update(e, c => c with { Switched = c.Switched ?? e.Time });
                break;
            case EventTypes.FailoverCompleted or EventTypes.SwitchoverCompleted or EventTypes.FailoverFailed or EventTypes.SwitchoverFailed:
                if (!_open.Remove(e.Service, out ChangeTimes? open)) return null;
                return open with { Completed = e.Type is EventTypes.FailoverCompleted or EventTypes.SwitchoverCompleted, Ended = e.Time };
        }
        return null;
    }

    private Signs SignsOf(string service, string member) => _signs.GetValueOrDefault((service, member)) ?? new Signs(null, null);

    /// <summary>As <see cref="IncidentTimeline"/>: a suspicion long before the confirmed down was an earlier false alarm.</summary>
    private DateTimeOffset? FirstSign(JournalEvent started)
    {
        Signs signs = SignsOf(started.Service, started is FailoverStarted f ? f.From : "");
        DateTimeOffset confirmed = signs.Down?.Time ?? started.Time;
        return signs.Suspected is { } s && confirmed - s.Time <= IncidentTimeline.SuspicionLimit ? s.Time : signs.Down?.Time;
    }

    private void Update(JournalEvent e, Func<ChangeTimes, ChangeTimes> change)
    {
        if (_open.TryGetValue(e.Service, out ChangeTimes? open)) _open[e.Service] = change(open);
    }
}
