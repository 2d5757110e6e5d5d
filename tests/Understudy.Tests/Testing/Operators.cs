using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Tests.Testing;

/// <summary>Operator inputs with the defaults the request tests share: alice asks, bob and carol approve.</summary>
public static class Operators
{
    public const string Id = "r-1";

    public static ChangeRequested SwitchoverTo(string? to = "web-b", string by = "alice", string id = Id) =>
        new(id, RequestKind.Switchover, to, "move off web-a for a kernel update", by);

    public static ChangeRequested FailoverTo(string? to = "web-b", string by = "alice", string id = Id) =>
        new(id, RequestKind.Failover, to, "web-a is gone", by);

    public static ApprovalGiven Approve(string by, string id = Id) => new(id, by, "looks right");

    public static RejectionGiven Reject(string by, string id = Id) => new(id, by, "not now");

    public static Paused Pause(string by = "alice") => new(by, "database upgrade");

    /// <summary><paramref name="member"/> fails <c>check.fall</c> checks 0.2 s apart from <paramref name="at"/>; returns the last decision.</summary>
    public static Decision Down(ref ServiceState state, string member, DateTimeOffset at)
    {
        Decision d = null!;
        for (int i = 0; i < state.Spec.Check.Fall; i++)
        {
            d = Decider.Decide(state, Services.Fail(member, at.AddSeconds(i * 0.2)), at.AddSeconds(i * 0.2));
            state = d.State;
        }
        return d;
    }

    public static JournalEvent Event(this Decision d, string type) => d.Events.Single(e => e.Type == type);

    /// <summary>A refused operator input: its kind, and its only event (if journaled) names who tried.</summary>
    public static void AssertRefused(Decision d, RefusalKind kind, string actor, string? id, string why)
    {
        Assert.Equal(kind, d.Refused?.Kind);
        Assert.Contains(why, d.Refused!.Message);
        Assert.Equal([EventTypes.RequestRefused], d.Types());
        Assert.Equal(actor, d.Events[0].Actor);
        Assert.Equal(id, d.Events[0].Detail("id"));
        Assert.Equal(d.Refused.Message, d.Events[0].Reason);
        Assert.Empty(d.Plan);
    }
}
