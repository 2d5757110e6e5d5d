using Understudy.Core.Failover;
using Understudy.Core.Guard;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Guard;

/// <summary>The guard folds the log the decider writes, with no copy of the services' config.</summary>
public class CommittedPrimaryTests
{
    private const long MiB = 1024 * 1024;

    /// <summary>The decider's events for the inputs, as etcd stores them (JSON), like the log a guard reads.</summary>
    private static List<JournalEvent> Logged(ref ServiceState s, params (Input Input, DateTimeOffset At)[] inputs)
    {
        var log = new List<JournalEvent>();
        foreach (var (input, at) in inputs)
        {
            Decision d = Decider.Decide(s, input, at);
            s = d.State;
            log.AddRange(d.Events.Select(e => EventJson.Read(EventJson.Write(e with { Service = "orders-db" }))));
        }
        return log;
    }

    [Fact]
    public void Fold_EmptyLog_NamesNoPrimary()
    {
        Assert.Equal(new CommittedPrimary(1, null, false), CommittedPrimary.Fold("orders-db", ServiceKind.Postgres, []));
    }

    [Fact]
    public void Fold_RoleConfirmed_NamesTheWritableServerAtEpochOne()
    {
        var s = ServiceState.Initial(Postgres(members: 2));
        var log = Logged(ref s, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0));

        Assert.Contains(log, e => e is MemberRole);
        Assert.Equal(new CommittedPrimary(1, "pg1", false), CommittedPrimary.Fold("orders-db", ServiceKind.Postgres, log));
    }

    [Fact]
    public void Fold_AfterAFailover_NamesTheNewPrimaryAtTheNextEpoch()
    {
        var s = ServiceState.Initial(Postgres(members: 2));
        var log = Logged(ref s, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0),
            (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2)));

        Assert.Contains(log, e => e is FailoverStarted);
        Assert.Equal(new CommittedPrimary(2, "pg2", false), CommittedPrimary.Fold("orders-db", ServiceKind.Postgres, log));
        Assert.Equal((2L, "pg2"), (s.Epoch, s.Primary)); // what the deciding instance holds
    }

    [Fact]
    public void Fold_OtherServicesAndNewerRecords_IgnoredButNewerSaid()
    {
        JournalEvent other = new FailoverStarted("a", "b") { Service = "web", Epoch = 2 };
        JournalEvent newer = EventJson.Read("""{"v":99,"type":"member.teleported","service":"orders-db","epoch":3}""");

        CommittedPrimary c = CommittedPrimary.Fold("orders-db", ServiceKind.Postgres, [new MemberRole("pg1") { Service = "orders-db", Epoch = 1 }, other, newer]);

        Assert.Equal(new CommittedPrimary(1, "pg1", true), c);
    }
}
