using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;
using Xunit.Abstractions;

namespace Understudy.Tests.Failover;

/// <summary>
/// Thousands of random input sequences; after every step the rules of DESIGN.md are checked. Operators take part:
/// requests of random kinds, targets and people, approvals (the requester's too), rejections, pause and resume, and
/// clock ticks that jump past the approval deadline. The sequences come two ways: from the fixed seeds the suite
/// always ran (a failure names the seed and step), and from CsCheck, which shrinks a failing sequence to a short one.
/// </summary>
public class DeciderInvariantTests(ITestOutputHelper output)
{
    private const int Sequences = 3000;
    private const int StepsPerSequence = 300;

    /// <summary>Numbers one step (or the setup) may draw; the most a step takes is a peers' view, about 20.</summary>
    private const int Draws = 24;

    [Fact]
    public void Decide_SeededSequences_KeepEveryInvariant() => RandomRuns.FromSeeds(Sequences, StepsPerSequence, Run);

    [Fact]
    public void Decide_GeneratedSequences_KeepEveryInvariant() =>
        RandomRuns.Generated(Draws, StepsPerSequence, Run, cases: 1500, budget: TimeSpan.FromSeconds(8), output.WriteLine);

    /// <summary>One sequence: <paramref name="setup"/> draws the service, each of <paramref name="steps"/> one input.</summary>
    private static void Run(string name, Random setup, IEnumerable<Random> steps)
    {
        ServiceSpec spec = RandomSpec(setup);
        var sim = new Simulation(spec, cluster: setup.Next(3) == 0);
        int step = 0;
        foreach (Random rng in steps)
        {
            sim.Now = sim.Now.AddMilliseconds(rng.Next(0, 1500));
            Input input = sim.NextInput(rng);
            try
            {
                sim.Apply(input);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Assert.Fail($"{name}, step {step}, input {input}: {e.Message}\n{sim.Trace()}");
            }
            step++;
        }
    }

    private static ServiceSpec RandomSpec(Random rng)
    {
        int members = rng.Next(2, 5);
        var priorities = Enumerable.Range(0, members).Select(i => ($"web-{(char)('a' + i)}", rng.Next(0, 3))).ToArray();
        ServiceSpec spec = Http(members, primary: "web-a", fall: rng.Next(1, 5), rise: rng.Next(1, 4),
            mode: rng.Next(10) == 0 ? FailoverMode.Manual : FailoverMode.Automatic,
            cooldown: TimeSpan.FromSeconds(new[] { 0, 1, 5, 30 }[rng.Next(4)]),
            hooks: rng.Next(2) == 0, approvals: rng.Next(3), approvalTimeout: TimeSpan.FromSeconds(new[] { 5, 30, 900 }[rng.Next(3)]),
            drain: TimeSpan.FromSeconds(rng.Next(0, 6)), switchoverHooks: rng.Next(2) == 0, priorities: priorities) with
        {
            // Now and then traffic also goes through a platform's switch (a command), which may fail and is retried.
            Switches = rng.Next(3) == 0 ? new TrafficSwitchesSpec([], null, [new HookSpec(["switch", "{{new_primary}}"], TimeSpan.FromSeconds(5))]) : null,
        };
        // And now and then a veto hook is asked before every change (the world answers it: mostly yes).
        return rng.Next(4) == 0 ? spec with { Hooks = spec.Hooks with { Veto = [new HookSpec(["freeze-check"], TimeSpan.FromSeconds(5))] } } : spec;
    }

    /// <param name="cluster">This instance (ctl-a) leads a cluster: peers' views come and go, and only a quorum fails over.</param>
    private sealed class Simulation(ServiceSpec spec, bool cluster)
    {
        private static readonly string[] Instances = ["ctl-b", "ctl-c", "ctl-d", "ctl-e"];
        private PeerViews _views = cluster ? PeerViews.Unknown("ctl-a") : PeerViews.Alone;
        private readonly List<JournalEvent> _journal = [];
        private readonly Queue<Step> _pending = new();
        private readonly Dictionary<long, string> _routedInEpoch = [];
        private readonly HashSet<string> _failedOverFrom = [];
        private readonly Dictionary<string, bool> _alive = spec.Members.ToDictionary(m => m.Name, _ => true);
        private readonly List<string> _trace = [];
        private DateTimeOffset? _lastFailoverEnd;

        /// <summary>Every request the journal names: who asked and who approved, as an auditor reads them (rule 6).</summary>
        private readonly Dictionary<string, (string By, List<string> Approvers)> _requests = [];
        private int _lastRequest;
        private static readonly string[] People = ["alice", "bob", "carol", "dave"];

        public ServiceState State { get; private set; } = ServiceState.Initial(spec) with { Eyes = cluster ? PeerViews.Unknown("ctl-a") : PeerViews.Alone };
        public DateTimeOffset Now { get; set; } = T0;

        public Input NextInput(Random rng)
        {
            string member = spec.Members[rng.Next(spec.Members.Length)].Name;
            if (rng.Next(20) == 0) _alive[member] = !_alive[member];
            if (rng.Next(100) < 15) return Operator(rng, member);
            if (cluster && rng.Next(100) < 10) return Peers(rng);
            int roll = rng.Next(100);
            if (roll < 55) return _alive[member] ? Ok(member, Now) : Fail(member, Now);
            if (roll < 68) return ProxyRefused(State.Routable ?? member, Now);
            if (roll < 88 && _pending.TryDequeue(out Step? step)) return new StepCompleted(step, rng.Next(10) > 0, "simulated");
            if (roll < 90) return new StepCompleted(new FenceMember(member, State.Primary, rng.Next(1, (int)State.Epoch + 2)), true, "stale");
            if (roll < 92) return new StepCompleted(new SwitchTraffic(State.Primary, member, rng.Next(1, (int)State.Epoch + 2)), rng.Next(2) == 0, "stale");
            if (roll < 95) return Restart();
            if (roll < 97) return new SnapshotDue(_journal.Count);
            return Fail(member, Now);
        }

        /// <summary>A person (or time) acts: mostly on the open request, sometimes on an old or unknown one.</summary>
        private Input Operator(Random rng, string member)
        {
            string person = People[rng.Next(People.Length)];
            string id = State.Request is { } open && rng.Next(5) > 0 ? open.Id : $"r-{rng.Next(1, _lastRequest + 2)}";
            switch (rng.Next(100))
            {
                case < 25:
                case < 62 when State.Request is null && rng.Next(3) > 0: // with nothing to answer, someone more often asks
                    var kind = rng.Next(2) == 0 ? RequestKind.Switchover : RequestKind.Failover;
                    // Now and then a forced one, which an http service (no fence hooks) always refuses.
                    return new ChangeRequested($"r-{++_lastRequest}", kind, rng.Next(4) == 0 ? null : member, "simulated", person, Force: rng.Next(10) == 0);
                case < 55: return new ApprovalGiven(id, person, "");
                case < 62: return new RejectionGiven(id, person, "");
                case < 66: return new Paused(person, "maintenance");
                case < 76: return new Resumed(person, "");
                case < 92:
                    Now += TimeSpan.FromSeconds(rng.Next(0, 2 * (int)spec.Failover.ApprovalWindow.TotalSeconds));
                    return new ClockTicked();
                default:
                    return new StepCompleted(new DrainMember(member, TimeSpan.Zero, rng.Next(1, (int)State.Epoch + 2)), true, "stale");
            }
        }

        /// <summary>
        /// What the other instances see: mostly the truth (a dead member is seen down by most), sometimes a peer's own
        /// network (a live one seen down), with stale views of instances that have left.
        /// </summary>
        private PeersObserved Peers(Random rng)
        {
            var peers = Instances.Where(_ => rng.Next(3) > 0).ToImmutableSortedSet();
            int quorum = rng.Next(4) == 0 ? rng.Next(1, 4) : PeerViews.Majority(peers.Count + 1);
            var down = spec.Members.ToImmutableDictionary(m => m.Name,
                m => Instances.Where(_ => rng.Next(100) < (_alive[m.Name] ? 10 : 80)).ToImmutableSortedSet());
            return new PeersObserved(new PeerViews("ctl-a", quorum, peers, down));
        }

        /// <summary>A controller restart: state is rebuilt from the journal and in-flight steps are lost.</summary>
        private Input Restart()
        {
            _pending.Clear();
            State = ServiceFold.Rebuild(spec, _journal, out string? error);
            Assert.Null(error);
            // An instance of a cluster starts knowing nothing of its peers; they are read again from etcd.
            if (cluster) State = State with { Eyes = _views = PeerViews.Unknown("ctl-a") };
            return Journaled.Restarted;
        }

        public void Apply(Input input)
        {
            ServiceState before = State;
            if (input is PeersObserved p) _views = p.Views;
            Decision d = Decider.Decide(before, input, Now);
            _trace.Add($"{Now:HH:mm:ss.fff} {input} -> {d.Reason} [{string.Join(", ", d.Types())}]");
            foreach (Step step in d.Plan.Where(p => p is not ConfirmMember)) _pending.Enqueue(step);
            _journal.AddRange(d.Events);
            State = d.State;
            Check(input, before, d);
        }

        private void Check(Input input, ServiceState before, Decision d)
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

            // Traffic switches (HAProxy, DNS, commands) only ever point at the epoch's primary, and hold traffic until they all have.
            foreach (SwitchTraffic sw in d.Plan.OfType<SwitchTraffic>())
                Assert.Equal((s.Primary, s.Epoch, true), (sw.To, sw.Epoch, sw.To != sw.From));
            if (s.Failover is { Stage: FailoverStage.Switching }) Assert.Null(s.Routable);
            if (types.Contains(EventTypes.TrafficSwitched) && spec.TrafficSwitches.Any)
                Assert.True(input is StepCompleted { Step: SwitchTraffic { } done, Succeeded: true } && done.To == d.Events.First(e => e.Type == EventTypes.TrafficSwitched).Member,
                    $"traffic switched without its switch step succeeding ({input})");

            // Epochs only grow, by one, exactly when the primary changes (a failover starts, a drain ends, a switchover hands back).
            Assert.True(s.Epoch == before.Epoch || s.Epoch == before.Epoch + 1, "the epoch moved by more than one or went back");
            Assert.Equal(s.Epoch != before.Epoch, s.Primary != before.Primary);

            // A draining switchover holds new connections: nothing is routable, the old primary's epoch has not ended.
            if (s.Failover is { Stage: FailoverStage.Draining } drain)
            {
                Assert.True(drain.IsSwitchover, "a failover in the drain stage");
                Assert.Null(s.Routable);
                Assert.True(Routing.For(s).Hold, "new connections are not held during the drain");
                Assert.Equal((drain.From, drain.Epoch), (s.Primary, s.Epoch));
            }

            string[] ends = [EventTypes.FailoverCompleted, EventTypes.FailoverFailed, EventTypes.SwitchoverCompleted, EventTypes.SwitchoverFailed];
            int lastEnd = types.FindLastIndex(ends.Contains);
            if (types.Contains(EventTypes.FailoverCompleted) || types.Contains(EventTypes.FailoverFailed)) _lastFailoverEnd = Now;
            Assert.True(d.Events.Count(e => e.Type is EventTypes.FailoverStarted or EventTypes.SwitchoverStarted) <= 1, "two changes started in one decision");
            for (int i = 0; i < d.Events.Length; i++)
            {
                JournalEvent e = d.Events[i];
                switch (e.Type)
                {
                    case EventTypes.RequestCreated:
                        _requests.Add(e.Detail("id")!, (e.Actor, []));
                        break;
                    case EventTypes.RequestApproved:
                        var (by, approvers) = _requests[e.Detail("id")!];
                        Assert.NotEqual(by, e.Actor);
                        Assert.DoesNotContain(e.Actor, approvers);
                        approvers.Add(e.Actor);
                        break;
                    case EventTypes.FailoverStarted or EventTypes.SwitchoverStarted:
                        // One change at a time: one that ends in this decision ends before the next starts.
                        Assert.True(before.Failover is null || (lastEnd >= 0 && i > lastEnd), "a change started while another was under way");
                        CheckStart(before, s, e);
                        Assert.Equal(e.Type == EventTypes.FailoverStarted ? before.Epoch + 1 : before.Epoch, s.Epoch);
                        break;
                }
            }

            // Rule 4: no failover while paused; and no request is carried out either.
            if (s.Pause is not null)
                Assert.DoesNotContain(d.Events, e => e.Type is EventTypes.FailoverStarted or EventTypes.SwitchoverStarted or EventTypes.RequestExecuting);

            // A request executes exactly while its change is under way, and none waits past its deadline.
            if (s.Request is { State: RequestState.Executing } executing) Assert.True(executing.Id == s.Failover?.Request || executing.Id == s.PendingVeto?.Request, "an executing request with no change and no veto question");
            Assert.False(s.PendingVeto is not null && s.Failover is not null, "a veto question while a change is under way");

            // Veto hooks: no change starts unless they have just allowed exactly it.
            if (!spec.Hooks.VetoHooks.IsEmpty && d.Events.FirstOrDefault(e => e.Type is EventTypes.FailoverStarted or EventTypes.SwitchoverStarted) is { } started)
                Assert.True(input is StepCompleted { Step: AskVeto { } ask, Succeeded: true } && ask.To == started.Member, $"{started.Type} without the veto hooks allowing it ({input})");
            if (s.Failover?.Request is { } running) Assert.Equal(running, s.Request?.Id);
            if (s.Request is { State: RequestState.AwaitingApproval } waiting) Assert.True(Now < waiting.ExpiresAt, "a request outlived its deadline");

            CheckRefusal(input, before, d);

            // Rule 2: no automatic failback.
            foreach (string from in _failedOverFrom)
            {
                Assert.True(s.Members[from].NeedsRejoin, $"{from} lost its rejoin mark");
                Assert.NotEqual(from, s.Routable);
            }

            // Rule 5: primary down, nothing automatic under way, no candidate → degraded, with an alert.
            if (s.Failover is null && s.Routable is not null && s.Pause is null && s.PrimaryMember.Health == Health.Down && QuorumSeesDown(s.Primary)
                && spec.Failover.Mode == FailoverMode.Automatic && !s.IsInCooldown(Now) && Candidates.Pick(s) is null)
                Assert.True(s.Degraded, "no candidate but not degraded");
            if (s.Degraded && !before.Degraded) Assert.Contains(EventTypes.AlertRaised, types);

            Assert.All(d.Events, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
            Assert.False(string.IsNullOrWhiteSpace(d.Reason));

            // The fold property: the journaled events alone, folded from the configured start, give the live state
            // (all of it but what checks observe) — what a restarted controller or a new leader starts from.
            ServiceState rebuilt = ServiceFold.Rebuild(spec, _journal, out string? error);
            Assert.Null(error);
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(rebuilt));
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(Journaled.FromNewestSnapshot(spec, _journal)));
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(Journaled.ThroughSnapshot(s)));
        }

        /// <summary>Alone: this instance's checks decide. In a cluster: it and enough live peers see the member down.</summary>
        private bool QuorumSeesDown(string member) =>
            !cluster || (_views.Quorum != int.MaxValue && 1 + _views.DownFrom.GetValueOrDefault(member, []).Count(_views.Peers.Contains) >= _views.Quorum);

        /// <summary>A change may start only as the rules allow: automatically (rules 2, 4, 5) or as an approved request (rule 6).</summary>
        private void CheckStart(ServiceState before, ServiceState s, JournalEvent start)
        {
            string from = start.Detail("from")!, to = start.Detail("to")!;
            Assert.Equal(Health.Up, s.Members[to].Health);
            Assert.False(before.Members[to].NeedsRejoin);
            Assert.DoesNotContain(to, _failedOverFrom);
            if (start.Detail("request") is { } id)
            {
                // Rule 6: approved by enough people other than the requester before it started, and started as the requester.
                Assert.True(_requests.TryGetValue(id, out var request), $"{start.Type} names request {id}, which was never created");
                Assert.Equal(request.By, start.Actor);
                Assert.True(request.Approvers.Where(a => a != request.By).Distinct().Count() >= spec.Failover.Approvals,
                    $"request {id} started with approvals from [{string.Join(", ", request.Approvers)}] (requested by {request.By}), {spec.Failover.Approvals} needed");
            }
            else
            {
                // Automatic: failovers only, in automatic mode, never within the cooldown.
                Assert.Equal((EventTypes.FailoverStarted, Actors.Controller), (start.Type, start.Actor));
                Assert.Equal(FailoverMode.Automatic, spec.Failover.Mode);
                Assert.True(_lastFailoverEnd is null || Now >= _lastFailoverEnd + spec.Failover.Cooldown, "failover within cooldown");
                // Many eyes: this instance and enough live peers saw the primary down.
                Assert.True(QuorumSeesDown(from), $"{from} failed over without a quorum of instances seeing it down ({_views})");
            }
            if (start.Type == EventTypes.FailoverStarted)
            {
                Assert.Equal(Health.Down, s.Members[from].Health);
                _failedOverFrom.Add(from);
            }
            else
            {
                // A switchover moves traffic off a healthy primary that had it.
                Assert.Equal((Health.Up, (string?)from), (before.Members[from].Health, before.Routable));
            }
        }

        /// <summary>
        /// A refused input changes nothing: its decision holds the request.refused event (for request actions)
        /// and otherwise only what the passing of time alone would have done (a deadline, a cooldown's end).
        /// </summary>
        private void CheckRefusal(Input input, ServiceState before, Decision d)
        {
            bool requestAction = input is ChangeRequested or ApprovalGiven or RejectionGiven;
            Assert.Equal(d.Refused is not null && requestAction ? 1 : 0, d.Types().Count(t => t == EventTypes.RequestRefused));
            if (d.Refused is null) return;
            Assert.True(requestAction || input is Paused or Resumed, $"{input} was refused");

            Decision tick = Decider.Decide(before, new ClockTicked(), Now);
            Assert.Equal(tick.Events.Select(Comparable), d.Events.Where(e => e.Type != EventTypes.RequestRefused).Select(Comparable));
            Assert.Equal<Step>(tick.Plan, d.Plan);
            Assert.Equal(Comparable(tick.State), Comparable(d.State));
        }

        private static object Comparable(JournalEvent e) => (e.Type, e.Member, e.Epoch, e.Actor, e.Reason);

        private static object? Comparable(OperatorRequest? r) => r is null ? null : (r with { ApprovedBy = ImmutableArray<string>.Empty }, string.Join(",", r.ApprovedBy));

        private static object Comparable(ServiceState s) =>
            (s.Epoch, s.Primary, s.Routable, s.Failover, s.Pause, Comparable(s.Request), s.HoldReason, s.Degraded, s.LastFailoverAt,
                string.Join(",", s.Members.Values.OrderBy(m => m.Name).Select(m => $"{m.Name}:{m.Health}:{m.NeedsRejoin}:{m.Suspected}")));

        public string Trace() => string.Join('\n', _trace.TakeLast(25));
    }
}
