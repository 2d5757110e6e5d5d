using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>
/// Thousands of seeded random input sequences; after every step the rules of DESIGN.md are checked.
/// A failure names the seed and step, so `Run(seed)` replays it exactly.
/// </summary>
public class DeciderInvariantTests
{
    private const int Sequences = 3000;
    private const int StepsPerSequence = 300;

    [Fact]
    public void Decide_RandomSequences_KeepEveryInvariant()
    {
        for (int seed = 0; seed < Sequences; seed++) Run(seed);
    }

    private static void Run(int seed)
    {
        var rng = new Random(seed);
        ServiceSpec spec = RandomSpec(rng);
        var sim = new Simulation(spec);
        for (int step = 0; step < StepsPerSequence; step++)
        {
            sim.Now = sim.Now.AddMilliseconds(rng.Next(0, 1500));
            Input input = sim.NextInput(rng);
            try
            {
                sim.Apply(input);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Assert.Fail($"seed {seed}, step {step}, input {input}: {e.Message}\n{sim.Trace()}");
            }
        }
    }

    private static ServiceSpec RandomSpec(Random rng)
    {
        int members = rng.Next(2, 5);
        var priorities = Enumerable.Range(0, members).Select(i => ($"web-{(char)('a' + i)}", rng.Next(0, 3))).ToArray();
        return Http(members, primary: "web-a", fall: rng.Next(1, 5), rise: rng.Next(1, 4),
            mode: rng.Next(10) == 0 ? FailoverMode.Manual : FailoverMode.Automatic,
            cooldown: TimeSpan.FromSeconds(new[] { 0, 1, 5, 30 }[rng.Next(4)]),
            hooks: rng.Next(2) == 0, priorities: priorities);
    }

    private sealed class Simulation(ServiceSpec spec)
    {
        private readonly List<JournalEvent> _journal = [];
        private readonly Queue<Step> _pending = new();
        private readonly Dictionary<long, string> _routedInEpoch = [];
        private readonly HashSet<string> _failedOverFrom = [];
        private readonly Dictionary<string, bool> _alive = spec.Members.ToDictionary(m => m.Name, _ => true);
        private readonly List<string> _trace = [];
        private DateTimeOffset? _lastFailoverEnd;

        public ServiceState State { get; private set; } = ServiceState.Initial(spec);
        public DateTimeOffset Now { get; set; } = T0;

        public Input NextInput(Random rng)
        {
            string member = spec.Members[rng.Next(spec.Members.Length)].Name;
            if (rng.Next(20) == 0) _alive[member] = !_alive[member];
            int roll = rng.Next(100);
            if (roll < 55) return _alive[member] ? Ok(member, Now) : Fail(member, Now);
            if (roll < 68) return ProxyRefused(State.Routable ?? member, Now);
            if (roll < 88 && _pending.TryDequeue(out Step? step)) return new StepCompleted(step, rng.Next(10) > 0, "simulated");
            if (roll < 92) return new StepCompleted(new FenceMember(member, rng.Next(1, (int)State.Epoch + 2)), true, "stale");
            if (roll < 95) return Restart();
            return Fail(member, Now);
        }

        /// <summary>A controller restart: state is rebuilt from the journal and in-flight steps are lost.</summary>
        private Input Restart()
        {
            _pending.Clear();
            State = StateRebuilder.Rebuild(spec, _journal, out string? error);
            Assert.Null(error);
            return new ControllerStarted();
        }

        public void Apply(Input input)
        {
            ServiceState before = State;
            Decision d = Decider.Decide(before, input, Now);
            _trace.Add($"{Now:HH:mm:ss.fff} {input} -> {d.Reason}");
            foreach (Step step in d.Plan.Where(p => p is not ConfirmMember)) _pending.Enqueue(step);
            _journal.AddRange(d.Events);
            State = d.State;
            Check(before, d);
        }

        private void Check(ServiceState before, Decision d)
        {
            ServiceState s = d.State;
            var types = d.Events.Select(e => e.Type).ToList();

            // Rule 1: one routable member per epoch; traffic follows the epoch.
            Assert.True(s.Routable is null || s.Routable == s.Primary, "routable member is not the epoch's primary");
            TrafficRoute route = Routing.For(s);
            Assert.Equal(s.Epoch, route.Epoch);
            Assert.Equal(s.Routable, route.Target);
            if (s.Routable is { } routed)
            {
                if (_routedInEpoch.TryGetValue(s.Epoch, out string? earlier)) Assert.Equal(earlier, routed);
                _routedInEpoch[s.Epoch] = routed;
            }

            // Epochs grow by one, exactly at failover.started.
            int starts = types.Count(t => t == EventTypes.FailoverStarted);
            Assert.True(starts <= 1, "two failovers in one decision");
            Assert.Equal(before.Epoch + starts, s.Epoch);

            // A failover that ends in this decision ends before the next may start.
            bool ended = types.Contains(EventTypes.FailoverCompleted) || types.Contains(EventTypes.FailoverFailed);
            if (ended) _lastFailoverEnd = Now;
            if (starts == 1)
            {
                // Rules 4 and 5, and one failover at a time.
                Assert.True(before.Failover is null || (ended && types.IndexOf(EventTypes.FailoverStarted) > types.IndexOf(EventTypes.FailoverCompleted)),
                    "a failover started while another was under way");
                Assert.Equal(FailoverMode.Automatic, spec.Failover.Mode);
                Assert.True(_lastFailoverEnd is null || Now >= _lastFailoverEnd + spec.Failover.Cooldown, "failover within cooldown");
                Assert.Equal(Health.Down, s.Members[before.Primary].Health);
                MemberState target = before.Members[s.Primary];
                Assert.Equal(Health.Up, d.State.Members[s.Primary].Health);
                Assert.False(target.NeedsRejoin);
                Assert.DoesNotContain(s.Primary, _failedOverFrom);
                _failedOverFrom.Add(before.Primary);
            }

            // Rule 2: no automatic failback.
            foreach (string from in _failedOverFrom)
            {
                Assert.True(s.Members[from].NeedsRejoin, $"{from} lost its rejoin mark");
                Assert.NotEqual(from, s.Routable);
            }

            // Rule 5: primary down, nothing automatic under way, no candidate → degraded, with an alert.
            if (s.Failover is null && s.Routable is not null && s.PrimaryMember.Health == Health.Down
                && spec.Failover.Mode == FailoverMode.Automatic && !s.IsInCooldown(Now) && Candidates.Pick(s) is null)
                Assert.True(s.Degraded, "no candidate but not degraded");
            if (s.Degraded && !before.Degraded) Assert.Contains(EventTypes.AlertRaised, types);

            Assert.All(d.Events, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
            Assert.False(string.IsNullOrWhiteSpace(d.Reason));

            // The journal alone rebuilds what a restarted controller must keep.
            ServiceState rebuilt = StateRebuilder.Rebuild(spec, _journal, out string? error);
            Assert.Null(error);
            Assert.Equal((s.Epoch, s.Primary, s.Routable, s.Failover, s.LastFailoverAt),
                (rebuilt.Epoch, rebuilt.Primary, rebuilt.Routable, rebuilt.Failover, rebuilt.LastFailoverAt));
            Assert.Equal(s.Members.Values.Where(m => m.NeedsRejoin).Select(m => m.Name).Order(),
                rebuilt.Members.Values.Where(m => m.NeedsRejoin).Select(m => m.Name).Order());
        }

        public string Trace() => string.Join('\n', _trace.TakeLast(25));
    }
}
