using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Xunit;

namespace Understudy.Tests.Testing;

/// <summary>Fixture builders for specs and inputs, in the spirit of Patroni's get_cluster_initialized_with_leader().</summary>
public static class Services
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    public static ServiceSpec Http(
        int members = 2, string primary = "web-a", int fall = 3, int rise = 2,
        FailoverMode mode = FailoverMode.Automatic, TimeSpan? cooldown = null, bool hooks = false,
        int approvals = 0, TimeSpan? approvalTimeout = null, TimeSpan? drain = null, bool switchoverHooks = false, string? noFailover = null,
        params (string Name, int Priority)[] priorities)
    {
        var names = Enumerable.Range(0, members).Select(i => $"web-{(char)('a' + i)}");
        var specs = names.Select((n, i) => new MemberSpec(n, new HostPort("127.0.0.1", 8081 + i),
            priorities.FirstOrDefault(p => p.Name == n).Priority, NoFailover: n == noFailover)).ToImmutableArray();
        ImmutableArray<HookSpec> Echo(bool on) => on
            ? ImmutableArray.Create(new HookSpec(["echo", "{{old_primary}}"], TimeSpan.FromSeconds(5)))
            : ImmutableArray<HookSpec>.Empty;
        return new ServiceSpec("web", ServiceKind.Http, specs, primary,
            new CheckSpec(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100), fall, rise),
            new FailoverSpec(mode, cooldown ?? TimeSpan.FromSeconds(30), Approvals: approvals, ApprovalTimeout: approvalTimeout),
            new ProxySpec(new HostPort("127.0.0.1", 9000), TimeSpan.FromSeconds(5), drain),
            new HooksSpec(Echo(hooks), Echo(switchoverHooks), []), TargetsSpec.None);
    }

    public static CheckObserved Ok(string member, DateTimeOffset at) => new(CheckResult.Passed(member, at, TimeSpan.FromMilliseconds(1)));

    /// <summary>A PostgreSQL service pg1..pgN, pg1 the configured (hinted) primary; each with a data_dir unless <paramref name="dataDirs"/> is false.</summary>
    public static ServiceSpec Postgres(int members = 3, int fall = 2, long maxLag = 1024 * 1024, bool synchronous = false, bool strict = false,
        TimeSpan? cooldown = null, string? noFailover = null, bool dataDirs = true, params (string Name, int Priority)[] priorities)
    {
        var specs = Enumerable.Range(1, members).Select(i => $"pg{i}").Select((n, i) => new MemberSpec(n, new HostPort("127.0.0.1", 5432 + i),
            priorities.FirstOrDefault(p => p.Name == n).Priority, NoFailover: n == noFailover, DataDir: dataDirs ? $"/var/lib/postgresql/{n}" : null)).ToImmutableArray();
        return new ServiceSpec("orders-db", ServiceKind.Postgres, specs, "pg1",
            new CheckSpec(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(150), fall, 2),
            new FailoverSpec(FailoverMode.Automatic, cooldown ?? TimeSpan.FromSeconds(30), maxLag, synchronous, strict),
            new ProxySpec(new HostPort("127.0.0.1", 6432), TimeSpan.FromSeconds(5)), HooksSpec.None, TargetsSpec.None,
            new PostgresSpec("postgres", null, "postgres"));
    }

    /// <summary>A writable server at <paramref name="lsn"/>; every other pgN streams from it unless <paramref name="streaming"/> says who does.</summary>
    public static CheckObserved PgPrimary(string member, DateTimeOffset at, long lsn, string[]? sync = null, string[]? streaming = null) =>
        new(CheckResult.Passed(member, at, TimeSpan.FromMilliseconds(1), "primary",
            ReplicationView.Primary(lsn, sync: [.. sync ?? []], streaming: [.. streaming ?? AllPg.Where(m => m != member)])));

    private static readonly string[] AllPg = ["pg1", "pg2", "pg3", "pg4"];

    public static CheckObserved PgStandby(string member, DateTimeOffset at, long received) =>
        new(CheckResult.Passed(member, at, TimeSpan.FromMilliseconds(1), "standby", ReplicationView.Standby(received, received)));

    /// <summary>
    /// PostgreSQL synchronous mode: the standby the state names is written at <paramref name="at"/>, reported synchronous
    /// by the primary (at <paramref name="lsn"/>) once the setting has settled, and seen to have received that far: proven.
    /// </summary>
    /// <param name="journal">Collects the events decided, for a rebuild.</param>
    public static ServiceState SyncProven(ServiceState s, double at, long lsn, List<Core.Journal.JournalEvent>? journal = null)
    {
        string named = Assert.Single(s.SyncStandbys!.Value);
        double settled = at + SynchronousSettle.TotalSeconds + 0.01;
        foreach (var (input, time) in new (Input, double)[]
        {
            (new StepCompleted(new SetSynchronousStandbys(s.Primary, [named], false, s.Epoch) { Change = s.SyncChanges }, true, "written"), at),
            (PgPrimary(s.Primary, At(settled), lsn, sync: [named]), settled),
            (PgStandby(named, At(settled + 0.01), lsn), settled + 0.01),
        })
        {
            Decision d = Decider.Decide(s, input, At(time));
            journal?.AddRange(d.Events);
            s = d.State;
        }
        Assert.Equal(named, s.SyncConfirmed);
        return s;
    }

    /// <summary>How long after a write of synchronous_standby_names a check counts as seeing it in force (SynchronousRules.Settle).</summary>
    public static readonly TimeSpan SynchronousSettle = TimeSpan.FromSeconds(1);

    public static CheckObserved Fail(string member, DateTimeOffset at, string detail = "connection refused") =>
        new(CheckResult.Failed(member, at, TimeSpan.FromMilliseconds(1), detail));

    public static CheckObserved ProxyRefused(string member, DateTimeOffset at) =>
        new(CheckResult.ConnectFailed(member, at, "connection refused"));

    public static CheckObserved ProxyTimedOut(string member, DateTimeOffset at) =>
        new(CheckResult.ConnectFailed(member, at, "connect timed out after 150 ms", timedOut: true));

    /// <summary>Every member up, as after the first round of checks.</summary>
    public static ServiceState AllUp(ServiceSpec spec, DateTimeOffset at)
    {
        ServiceState s = ServiceState.Initial(spec);
        foreach (var m in spec.Members) s = Decider.Decide(s, Ok(m.Name, at), at).State;
        return s;
    }

    /// <summary>Folds inputs one after another, returning every decision.</summary>
    public static List<Decision> Walk(ref ServiceState state, params (Input Input, DateTimeOffset At)[] inputs)
    {
        var decisions = new List<Decision>();
        foreach (var (input, at) in inputs)
        {
            var d = Decider.Decide(state, input, at);
            decisions.Add(d);
            state = d.State;
        }
        return decisions;
    }

    public static IEnumerable<string> Types(this Decision d) => d.Events.Select(e => e.Type);
}
