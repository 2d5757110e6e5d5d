using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Regressions;

/// <summary>
/// Issue 13 item 1: stop the controller, the primary dies, start the controller — the service stayed degraded for good
/// ("pg2 was not streaming from pg1 when last seen", lag unknown) and a failover request was refused. The last run's
/// view of the servers is now restored (<see cref="LastSeen"/>), and when lag really is unknown an admin's forced
/// failover promotes the most advanced standby, journaled as accepting the loss.
/// </summary>
public sealed class PostgresRestartTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly string _dir = Directory.CreateTempSubdirectory("understudy-restart-").FullName;

    [Fact]
    public void Restart_PrimaryDiedWhileStopped_CaughtUpStandbyPromotedAgainstTheRestoredView()
    {
        var last = new LastSeen(Path.Combine(_dir, "journal.db"));
        last.Write(LastSeen.Of([Running(members: 2)], At(0)));

        var restored = last.Restore([Rebuilt(members: 2)], At(40), out string? note);
        ServiceState s = restored.Single();
        Assert.Contains("saved 40 s before this start", note);
        Assert.True(s.Members["pg1"].ReplicationRestored);

        var d = Walk(ref s, (PgStandby("pg2", At(41), 10 * MiB), At(41)), (Fail("pg1", At(41.1)), At(41.1)), (Fail("pg1", At(41.3)), At(41.3)))[^1];

        Assert.Equal([EventTypes.MemberDown, EventTypes.FailoverStarted], d.Types());
        Assert.Contains("its lag judged against what pg1 was last seen writing and streaming to before this controller restarted", d.Reason);
        Assert.Equal((2L, "pg2"), (s.Epoch, s.Primary));
    }

    [Fact]
    public void Restart_ViewSavedLongBeforeTheStart_NotRestoredAndNothingPromoted()
    {
        var last = new LastSeen(Path.Combine(_dir, "journal.db"));
        last.Write(LastSeen.Of([Running(members: 2)], At(0)));

        ServiceState s = last.Restore([Rebuilt(members: 2)], At(0) + LastSeen.MaxAge + TimeSpan.FromSeconds(1), out string? note).Single();
        Assert.Contains("not restoring", note);
        Assert.Null(s.Members["pg1"].Replication);

        var d = Walk(ref s, (PgStandby("pg2", At(400), 10 * MiB), At(400)), (Fail("pg1", At(401)), At(401)), (Fail("pg1", At(401.2)), At(401.2)))[^1];

        Assert.DoesNotContain(EventTypes.FailoverStarted, d.Types());
        Assert.Contains("pg2: its lag is unknown (pg1 has not been seen writable since this controller started)", s.HoldReason);
    }

    [Fact]
    public void ACheckOfTheServer_ClearsTheRestoredMark()
    {
        var last = new LastSeen(Path.Combine(_dir, "journal.db"));
        last.Write(LastSeen.Of([Running(members: 2)], At(0)));
        ServiceState s = last.Restore([Rebuilt(members: 2)], At(1), out _).Single();

        s = Decider.Decide(s, Fail("pg1", At(2)), At(2)).State;
        Assert.True(s.Members["pg1"].ReplicationRestored); // a failed check keeps the view it had
        s = Decider.Decide(s, PgPrimary("pg1", At(3), 11 * MiB), At(3)).State;

        Assert.False(s.Members["pg1"].ReplicationRestored);
        Assert.Equal(11 * MiB, s.Members["pg1"].Replication!.CurrentLsn);
    }

    [Fact]
    public void LagUnknown_ForcedFailover_PromotesTheMostAdvancedStandbyAndJournalsTheLoss()
    {
        ServiceState s = DeadPrimaryLagUnknown(members: 3);

        var d = Decider.Decide(s, new ChangeRequested("r-1", RequestKind.Failover, null, "pg1's disk is gone", "alice", Force: true), At(10));

        Assert.Equal([EventTypes.RequestCreated, EventTypes.RequestExecuting, EventTypes.FailoverForced, EventTypes.AlertRaised, EventTypes.FailoverStarted], d.Types());
        var forced = d.Events.Single(e => e.Type == EventTypes.FailoverForced);
        Assert.Equal("pg3", forced.Member);
        Assert.Contains("alice forced the failover from pg1 to pg3 although its lag is unknown (pg1 has not been seen writable since this controller started)", forced.Reason);
        Assert.Contains("accepting that writes pg1 acknowledged and pg3 never received are lost", forced.Reason);
        Assert.Equal((2L, "pg3"), (d.State.Epoch, d.State.Primary));
        Assert.Equal<Step>([new FenceMember("pg1", "pg3", 2)], d.Plan);
    }

    [Fact]
    public void LagUnknown_ForcedFailoverToANamedStandby_PromotesThatOne()
    {
        ServiceState s = DeadPrimaryLagUnknown(members: 3);

        var d = Decider.Decide(s, new ChangeRequested("r-1", RequestKind.Failover, "pg2", "pg2 is in the right zone", "alice", Force: true), At(10));

        Assert.Equal("pg2", d.State.Primary);
    }

    [Fact]
    public void Force_WhenAFailoverWithoutItCanPromote_IsRefused()
    {
        ServiceState s = Running(members: 2);
        Walk(ref s, (Fail("pg1", At(1)), At(1)));
        s = s with { Spec = s.Spec with { Failover = s.Spec.Failover with { Mode = Core.Topology.FailoverMode.Manual } } };
        Walk(ref s, (Fail("pg1", At(1.2)), At(1.2)));

        var d = Decider.Decide(s, new ChangeRequested("r-1", RequestKind.Failover, null, "now", "alice", Force: true), At(2));

        Assert.Equal(RefusalKind.Conflict, d.Refused?.Kind);
        Assert.Contains("a failover without force can promote pg2", d.Refused!.Message);
        Assert.Equal(1L, d.State.Epoch);
    }

    [Fact]
    public void Force_NeverPromotesAStandbyThatIsDown()
    {
        ServiceState s = DeadPrimaryLagUnknown(members: 2);
        Walk(ref s, (Fail("pg2", At(11)), At(11)), (Fail("pg2", At(11.2)), At(11.2)));

        var d = Decider.Decide(s, new ChangeRequested("r-1", RequestKind.Failover, null, "now", "alice", Force: true), At(12));

        Assert.Contains("no standby can take over even by force (pg2: it is down)", d.Refused?.Message);
    }

    [Fact]
    public void ForcedRequestAwaitingApproval_ThePrimaryComesBack_NotCarriedOut()
    {
        ServiceState s = DeadPrimaryLagUnknown(members: 2);
        s = s with { Spec = s.Spec with { Failover = s.Spec.Failover with { Approvals = 1 } } };
        s = Decider.Decide(s, new ChangeRequested("r-1", RequestKind.Failover, null, "now", "alice", Force: true), At(10)).State;
        Walk(ref s, (PgPrimary("pg1", At(11), 12 * MiB), At(11)), (PgPrimary("pg1", At(11.2), 12 * MiB), At(11.2)));

        var d = Decider.Decide(s, new ApprovalGiven("r-1", "bob", ""), At(12));

        Assert.Contains(EventTypes.RequestFailed, d.Types());
        Assert.DoesNotContain(EventTypes.FailoverStarted, d.Types());
        Assert.Equal((1L, "pg1"), (d.State.Epoch, d.State.Primary));
    }

    /// <summary>A running controller's view: pg1 writable at 10 MiB, every other member streaming and caught up.</summary>
    private static ServiceState Running(int members)
    {
        ServiceState s = ServiceState.Initial(Postgres(members));
        s = Decider.Decide(s, PgPrimary("pg1", At(0), 10 * MiB), At(0)).State;
        for (int i = 2; i <= members; i++) s = Decider.Decide(s, PgStandby($"pg{i}", At(0), 10 * MiB), At(0)).State;
        return s;
    }

    /// <summary>The state a restart folds from the journal: pg1 confirmed primary of epoch 1, nothing checked yet.</summary>
    private static ServiceState Rebuilt(int members)
    {
        var spec = Postgres(members);
        return ServiceFold.Rebuild(spec, [Journaled.Make(T0, spec.Name, "pg1", 1, EventTypes.MemberRole, Actors.Controller,
            ImmutableDictionary<string, object?>.Empty.Add("primary", "pg1"))], out _);
    }

    /// <summary>Restarted with no view of the servers; pg1 down, pg2 received 5 MiB, pg3 8 MiB: degraded, lag unknown.</summary>
    private static ServiceState DeadPrimaryLagUnknown(int members)
    {
        ServiceState s = Rebuilt(members);
        for (int i = 2; i <= members; i++) s = Decider.Decide(s, PgStandby($"pg{i}", At(1), (2 + 3 * (i - 1)) * MiB), At(1)).State;
        Walk(ref s, (Fail("pg1", At(2)), At(2)), (Fail("pg1", At(2.2)), At(2.2)));
        Assert.True(s.Degraded);
        return s;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
