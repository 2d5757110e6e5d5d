using CsCheck;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;
using Xunit.Abstractions;

namespace Understudy.Tests.Failover;

/// <summary>
/// Random PostgreSQL worlds, from the fixed seeds the suite always ran and from CsCheck (which shrinks a failing one
/// to a short one): servers die and return, WAL advances, standbys fall behind (a frozen walreceiver), promotions
/// really change which server is writable. After every step: rule 1 (one routable
/// member per epoch, routed only once a writable primary was seen), rule 2 (no failback), rule 3 (never a
/// standby beyond max_lag, never nofailover, in synchronous mode only a synchronous standby while one
/// existed), one failover at a time, and the journal rebuilds what a restart needs.
/// </summary>
public class DeciderPostgresInvariantTests(ITestOutputHelper output)
{
    private const int Sequences = 1000;
    private const int Steps = 300;
    private const long MiB = 1024 * 1024;

    /// <summary>Numbers one step (or the setup) may draw: a tick takes up to three a member (four at most), the input four.</summary>
    private const int Draws = 20;

    [Fact]
    public void Decide_SeededPostgresWorlds_KeepEveryInvariant()
    {
        for (int seed = 0; seed < Sequences; seed++)
        {
            var rng = new Random(seed);
            Run($"seed {seed}", rng, Enumerable.Repeat(rng, Steps));
        }
    }

    [Fact]
    public void Decide_GeneratedPostgresWorlds_KeepEveryInvariant() =>
        Gen.Select(Gen.Int[0, 999_999].Array[Draws], Gen.Int[0, 999_999].Array[Draws].Array[1, Steps])
            .SampleSeeded(script => Run("generated", new ScriptedRandom(script.Item1), script.Item2.Select(step => new ScriptedRandom(step))),
                cases: 1000, budget: TimeSpan.FromSeconds(6), output.WriteLine, script => $"{script.Item2.Length} steps");

    /// <summary>One world: <paramref name="setup"/> draws the service, each of <paramref name="steps"/> a tick and one input.</summary>
    private static void Run(string name, Random setup, IEnumerable<Random> steps)
    {
        int members = setup.Next(2, 5);
        ServiceSpec spec = Postgres(members, fall: setup.Next(1, 4), maxLag: MiB, synchronous: setup.Next(2) == 0, strict: setup.Next(4) == 0,
            cooldown: TimeSpan.FromSeconds(new[] { 0, 2, 30 }[setup.Next(3)]), noFailover: setup.Next(3) == 0 ? $"pg{setup.Next(2, members + 1)}" : null);
        var world = new World(spec);
        var journal = new List<JournalEvent>();
        var pending = new Queue<Step>();
        var routedInEpoch = new Dictionary<long, string>();
        var failedOverFrom = new HashSet<string>();
        DateTimeOffset? lastEnd = null;
        ServiceState s = ServiceState.Initial(spec);
        DateTimeOffset now = T0;
        int step = 0;
        foreach (Random rng in steps)
        {
            now = now.AddMilliseconds(rng.Next(0, 1200));
            world.Tick(rng);
            Input input = rng.Next(100) switch
            {
                < 60 => world.Check(rng, now),
                < 85 when pending.TryDequeue(out Step? st) => world.Execute(st, rng),
                < 88 => Restart(),
                < 90 => new SnapshotDue(journal.Count),
                _ => world.Check(rng, now),
            };
            ServiceState before = s;
            Decision d;
            try
            {
                d = Decider.Decide(s, input, now);
                foreach (Step p in d.Plan.Where(p => p is not ConfirmMember)) pending.Enqueue(p);
                journal.AddRange(d.Events);
                s = d.State;
                Check(before, d, s);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Assert.Fail($"{name}, step {step}, input {input}: {e.Message}");
            }
            step++;

            Input Restart()
            {
                pending.Clear();
                s = ServiceFold.Rebuild(spec, journal, out string? error);
                Assert.Null(error);
                return Journaled.Restarted;
            }
        }

        void Check(ServiceState before, Decision d, ServiceState s)
        {
            var types = d.Events.Select(e => e.Type).ToList();
            if (s.Routable is { } routed)
            {
                Assert.Equal(s.Primary, routed);
                Assert.True(s.RolesConfirmed, "routed before a writable primary was seen");
                if (routedInEpoch.TryGetValue(s.Epoch, out string? earlier)) Assert.Equal(earlier, routed);
                routedInEpoch[s.Epoch] = routed;
            }
            bool ended = types.Contains(EventTypes.FailoverCompleted) || types.Contains(EventTypes.FailoverFailed);
            if (ended) lastEnd = d.Events.First(e => e.Type is EventTypes.FailoverCompleted or EventTypes.FailoverFailed).Time;
            if (types.Contains(EventTypes.FailoverStarted))
            {
                Assert.True(before.Failover is null || ended, "two failovers at once");
                Assert.True(lastEnd is null || ended || d.Events[0].Time >= lastEnd + spec.Failover.Cooldown, "failover within cooldown");
                string from = before.Failover is null ? before.Primary : d.State.Failover!.From;
                string to = s.Primary;
                MemberState target = s.Members[to];
                Assert.False(spec.Member(to).NoFailover, $"{to} has nofailover");
                Assert.DoesNotContain(to, failedOverFrom);
                Assert.True(target.Pg is { InRecovery: true }, $"{to} was not a standby");
                long primaryLsn = s.Members[from].Pg!.CurrentLsn!.Value;
                Assert.True(primaryLsn - target.Pg!.ReceiveLsn!.Value <= spec.Failover.MaxLagBytes, $"{to} promoted {primaryLsn - target.Pg.ReceiveLsn} bytes behind");
                // Only a standby that may hold synchronously acknowledged commits: reported sync, or named.
                var sync = new HashSet<string>((s.Members[from].Pg?.SyncStandbys ?? []).Concat(before.SyncStandbys ?? []));
                if (spec.Failover.Synchronous && sync.Count > 0) Assert.Contains(to, sync);
                Assert.Contains(to, s.Members[from].Pg!.Streaming);
                failedOverFrom.Add(from);
            }
            foreach (string from in failedOverFrom) Assert.NotEqual(from, s.Routable);

            ServiceState rebuilt = ServiceFold.Rebuild(spec, journal, out string? error);
            Assert.Null(error);
            // The fold property, as for http: the journal alone gives every part of the state checks do not observe,
            // and so does the journal from its newest snapshot on (what etcd keeps).
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(rebuilt));
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(Journaled.FromNewestSnapshot(spec, journal)));
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(Journaled.ThroughSnapshot(s)));
        }
    }

    /// <summary>What is really true: who is writable, WAL positions, who is alive, whose walreceiver is frozen.</summary>
    private sealed class World(ServiceSpec spec)
    {
        private readonly Dictionary<string, bool> _alive = spec.Members.ToDictionary(m => m.Name, _ => true);
        private readonly Dictionary<string, bool> _frozen = spec.Members.ToDictionary(m => m.Name, _ => false);
        private readonly Dictionary<string, long> _received = spec.Members.ToDictionary(m => m.Name, _ => 0L);
        private readonly HashSet<string> _writable = ["pg1"];
        private long _lsn = 1000;
        private string[] _sync = [];

        public void Tick(Random rng)
        {
            _lsn += rng.Next(0, (int)(MiB / 2));
            foreach (var m in spec.Members.Select(m => m.Name))
            {
                if (rng.Next(30) == 0) _alive[m] = !_alive[m];
                if (rng.Next(40) == 0) _frozen[m] = !_frozen[m];
                if (_alive[m] && !_frozen[m]) _received[m] = _lsn - rng.Next(0, 64 * 1024);
            }
        }

        public CheckObserved Check(Random r, DateTimeOffset at)
        {
            string m = spec.Members[r.Next(spec.Members.Length)].Name;
            if (!_alive[m]) return Fail(m, at);
            // Streaming: the live servers that are not writable (a frozen walreceiver still shows as streaming, lagging).
            return _writable.Contains(m)
                ? new CheckObserved(CheckResult.Passed(m, at, TimeSpan.Zero, "primary", PgObservation.Primary(_lsn, sync: [.. _sync],
                    streaming: [.. spec.Members.Select(x => x.Name).Where(x => _alive[x] && !_writable.Contains(x))])))
                : new CheckObserved(CheckResult.Passed(m, at, TimeSpan.Zero, "standby", PgObservation.Standby(_received[m], _received[m])));
        }

        public StepCompleted Execute(Step step, Random r)
        {
            bool ok = r.Next(10) > 0;
            switch (step)
            {
                case PromoteMember p when ok && _alive[p.Member]:
                    _writable.Add(p.Member);
                    break;
                case PromoteMember:
                    ok = false;
                    break;
                case SetSynchronousStandbys sync when ok:
                    _sync = [.. sync.Standbys];
                    break;
            }
            return new StepCompleted(step, ok, "simulated");
        }
    }
}
