using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Guard;

/// <summary>
/// What a service's committed log says of its primary, as every instance folds it (<see cref="ServiceFold"/>).
/// A guard has no copy of the services' config, so the fold starts from a service with no members and no primary
/// and learns the members the log names; its primary is known only once an event of the log names one (a role
/// confirmed, a failover, a snapshot). An http/tcp service names none until its first change.
/// </summary>
/// <param name="Primary">The primary of <see cref="Epoch"/> as the log names it; null while the log names none.</param>
/// <param name="NewerSchema">The log holds a record this version cannot read: what it says is not known.</param>
public sealed record CommittedPrimary(long Epoch, string? Primary, bool NewerSchema)
{
    /// <param name="kind">PostgreSQL or not: the stages of a failover differ (http and tcp fold alike).</param>
    public static CommittedPrimary Fold(string service, ServiceKind kind, IEnumerable<JournalEvent> events)
    {
        var spec = new ServiceSpec(service, kind, [], Primary: "", new CheckSpec(default, default, 1, 1),
            new FailoverSpec(FailoverMode.Manual, TimeSpan.Zero), Proxy: null, HooksSpec.None, TargetsSpec.None);
        ServiceState state = ServiceState.Initial(spec) with { PrimaryKnown = false };
        bool newer = false;
        foreach (JournalEvent e in events.Where(e => e.Service == service))
        {
            newer |= e is UnknownEvent;
            while (ServiceFold.UnknownMember(state, e) is { } member)
                state = state with { Members = state.Members.Add(member, MemberState.Initial(member)) };
            state = ServiceFold.Evolve(state, e);
        }
        return new CommittedPrimary(state.Epoch, state.PrimaryKnown && state.Primary.Length > 0 ? state.Primary : null, newer);
    }

    public override string ToString() => Primary is null ? $"epoch {Epoch}, no primary named yet" : $"epoch {Epoch}, primary {Primary}";
}
