using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Regressions;

/// <summary>
/// Issue 13 item 1: with the primary down (after a restart, or with failover impossible), a standby promoted by hand
/// got no traffic ("accepts writes (not a standby)"), so the service stayed down. It is now adopted as the primary of a
/// new epoch; an old primary awaiting rejoin never is.
/// </summary>
public class PostgresAdoptionTests
{
    private const long MiB = 1024 * 1024;
    private static DateTimeOffset At(double s) => T0.AddSeconds(s);

    [Fact]
    public void Restart_PrimaryDeadAndAStandbyPromotedByHand_AdoptedAsThePrimaryOfANewEpoch()
    {
        var spec = Postgres(members: 2);
        var s = ServiceFold.Rebuild(spec, [Journaled.Make(T0, spec.Name, "pg1", 1, EventTypes.MemberRole, Actors.Controller,
            ImmutableDictionary<string, object?>.Empty.Add("primary", "pg1"))], out _);

        var seen = Decider.Decide(s, PgPrimary("pg2", At(1), 20 * MiB, streaming: []), At(1));
        Assert.DoesNotContain(EventTypes.MemberWritable, seen.Types()); // pg1 not heard from yet
        s = seen.State;
        var d = Walk(ref s, (Fail("pg1", At(2)), At(2)), (Fail("pg1", At(2.2)), At(2.2)))[1];

        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], d.Types());
        Assert.Contains("pg2 accepts writes (promoted outside Understudy): adopting it as the primary of epoch 2", d.Reason);
        Assert.Equal((2L, "pg2"), (s.Epoch, s.Primary));
        Assert.True(s.Members["pg1"].NeedsRejoin);
        Assert.Equal<Step>([new FenceMember("pg1", "pg2", 2)], d.Plan);
    }

    [Fact]
    public void Running_NoCandidateThenAStandbyPromotedByHand_AdoptedEvenInManualMode()
    {
        var s = ServiceState.Initial(Postgres(members: 2) with { Failover = Postgres(members: 2).Failover with { Mode = Core.Topology.FailoverMode.Manual } });
        s = Decider.Decide(s, PgPrimary("pg1", T0, 10 * MiB), T0).State;
        s = Decider.Decide(s, PgStandby("pg2", T0, 10 * MiB), T0).State;
        Walk(ref s, (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2)));
        Assert.NotNull(s.HoldReason);

        var d = Decider.Decide(s, PgPrimary("pg2", At(3), 10 * MiB, streaming: []), At(3));

        Assert.Equal([EventTypes.FailoverStarted], d.Types());
        Assert.Equal("pg2", d.State.Primary);
    }

    [Fact]
    public void OldPrimaryAwaitingRejoinWritableWhileTheNewOneIsDown_NeverAdopted()
    {
        var s = ServiceState.Initial(Postgres(members: 2, cooldown: TimeSpan.Zero));
        s = Decider.Decide(s, PgPrimary("pg1", T0, 10 * MiB), T0).State;
        s = Decider.Decide(s, PgStandby("pg2", T0, 10 * MiB), T0).State;
        Walk(ref s, (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2)));
        s = Decider.Decide(s, new StepCompleted(new FenceMember("pg1", "pg2", 2), true, "closed"), At(2)).State;
        s = Decider.Decide(s, new StepCompleted(new PromoteMember("pg2", 2), true, "ok"), At(2.1)).State;
        Walk(ref s, (Fail("pg2", At(5)), At(5)), (Fail("pg2", At(5.2)), At(5.2)));

        var d = Decider.Decide(s, PgPrimary("pg1", At(6), 11 * MiB, streaming: []), At(6));

        Assert.DoesNotContain(EventTypes.FailoverStarted, d.Types());
        Assert.Equal((2L, "pg2"), (d.State.Epoch, d.State.Primary));
    }
}
