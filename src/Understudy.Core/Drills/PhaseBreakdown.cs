using Understudy.Core.Journal;

namespace Understudy.Core.Drills;

/// <summary>
/// Where the recovery time went, from the controller's journal: detection (fault → member.down),
/// decision (→ failover.started), fencing (→ member.fenced), promotion (→ member.promoted, for kinds that
/// promote), traffic switch (→ traffic.switched) and first client success (→ the first successful attempt
/// that ended after the switch). A phase that did not happen has no time.
/// </summary>
public static class PhaseBreakdown
{
    public const string Promoted = "member.promoted";

    public static IReadOnlyList<PhaseRecord> From(DateTimeOffset faultAt, IReadOnlyList<ControllerEventRecord> events, IEnumerable<ProbeSample> samples)
    {
        var (down, started, fenced, promoted, switched) = Instants(faultAt, events);
        DateTimeOffset? firstSuccess = switched is { } sw ? samples.Where(s => s.Ok && s.End >= sw).Select(s => (DateTimeOffset?)s.End).Min() : null;

        return Chain(faultAt, [
            ("detection", down), ("decision", started), ("fencing", fenced), ("promotion", promoted),
            ("traffic switch", switched), ("first client success", firstSuccess)]);
    }

    /// <summary>The traffic.switched of the phase breakdown (the one that follows the fencing or promotion); null if none.</summary>
    public static DateTimeOffset? TrafficSwitchedAt(DateTimeOffset faultAt, IReadOnlyList<ControllerEventRecord> events) =>
        Instants(faultAt, events).Switched;

    private static (DateTimeOffset? Down, DateTimeOffset? Started, DateTimeOffset? Fenced, DateTimeOffset? Promoted, DateTimeOffset? Switched) Instants(
        DateTimeOffset faultAt, IReadOnlyList<ControllerEventRecord> events)
    {
        var after = events.Where(e => e.Time >= faultAt).OrderBy(e => e.Time).ToList();
        DateTimeOffset? At(string type, DateTimeOffset? notBefore) =>
            notBefore is { } t ? after.FirstOrDefault(e => e.Type == type && e.Time >= t)?.Time : null;

        DateTimeOffset? down = At(EventTypes.MemberDown, faultAt);
        DateTimeOffset? started = At(EventTypes.FailoverStarted, down);
        DateTimeOffset? fenced = At(EventTypes.MemberFenced, started);
        DateTimeOffset? promoted = At(Promoted, fenced);
        return (down, started, fenced, promoted, At(EventTypes.TrafficSwitched, promoted ?? fenced));
    }

    /// <summary>
    /// Named instants in the order they happen, each timed from the last one that happened before it and
    /// from <paramref name="origin"/>; an instant that did not happen (null) has no time and is skipped over.
    /// </summary>
    public static IReadOnlyList<PhaseRecord> Chain(DateTimeOffset origin, IEnumerable<(string Name, DateTimeOffset? At)> instants)
    {
        var phases = new List<PhaseRecord>();
        DateTimeOffset previous = origin;
        foreach (var (name, at) in instants)
        {
            phases.Add(new PhaseRecord(name, at, at is { } t ? (t - previous).TotalMilliseconds : null, at is { } u ? (u - origin).TotalMilliseconds : null));
            if (at is { } done) previous = done;
        }
        return phases;
    }
}
