using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;
using Xunit.Abstractions;

namespace Understudy.Tests.Failover;

/// <summary>
/// Seeded random PostgreSQL worlds: servers die and return, WAL advances, standbys fall behind (a frozen
/// walreceiver), promotions really change which server is writable. After every step: rule 1 (one routable
/// member per epoch, routed only once a writable primary was seen), rule 2 (no failback), rule 3 (never a
/// standby beyond max_lag, never nofailover, in synchronous mode never one that lacks a commit the world's primary
/// acknowledged, whatever its synchronous_standby_names held meanwhile), one failover at a time, and the journal rebuilds what a restart needs. Fence hooks (required or not)
/// fail now and then, and are cut off by restarts: no promotion follows a fence whose required hook failed unless
/// an operator forced it, and a hook left running is ended before its list runs again. The worlds come two ways, as
/// for http: from the fixed seeds the suite always ran, and from CsCheck, which shrinks a failing one to a short one.
/// Planned switchovers are asked for at random moments: the epoch passes to the target only once it has everything the
/// stopped (Redis: paused) old primary wrote.
/// </summary>
public class DeciderPostgresInvariantTests(ITestOutputHelper output)
{
    private const int Sequences = 1000;
    private const int Steps = 300;
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// Numbers one step (or the setup) may draw. The setup takes at most 10; a step at most 1 (time) + 13 (the world's
    /// tick: 1, then 3 for each of 4 servers) + 1 (the input) + 3 (a switchover request, or a fence with 2 hooks, or 2 stale
    /// hooks ended) + 1 (the step's outcome) = 19.
    /// </summary>
    private const int Draws = 22;

    [Fact]
    public void Decide_RandomPostgresWorlds_KeepEveryInvariant() => RandomRuns.FromSeeds(Sequences, Steps, (n, setup, steps) => Run(n, setup, steps, ServiceKind.Postgres));

    /// <summary>
    /// The same worlds as Redis: no synchronous mode, and a server that accepts writes out of turn is demoted on sight;
    /// with failover.rejoin: auto an old primary replicating again may be promoted later.
    /// </summary>
    [Fact]
    public void Decide_RandomRedisWorlds_KeepEveryInvariant() => RandomRuns.FromSeeds(Sequences / 2, Steps, (n, setup, steps) => Run(n, setup, steps, ServiceKind.Redis));

    [Fact]
    public void Decide_GeneratedPostgresWorlds_KeepEveryInvariant() =>
        RandomRuns.Generated(Draws, Steps, (n, setup, steps) => Run(n, setup, steps, ServiceKind.Postgres), cases: 1000, budget: TimeSpan.FromSeconds(8), output.WriteLine);

    /// <summary>One world: <paramref name="setup"/> draws the service, each of <paramref name="steps"/> what happens in one step.</summary>
    private static void Run(string name, Random setup, IEnumerable<Random> steps, ServiceKind kind)
    {
        int members = setup.Next(2, 5);
        ServiceSpec spec = Postgres(members, fall: setup.Next(1, 4), maxLag: MiB, synchronous: setup.Next(2) == 0, strict: setup.Next(4) == 0,
            cooldown: TimeSpan.FromSeconds(new[] { 0, 2, 30 }[setup.Next(3)]), noFailover: setup.Next(3) == 0 ? $"pg{setup.Next(2, members + 1)}" : null);
        spec = spec with
        {
            Kind = kind,
            Postgres = kind == ServiceKind.Postgres ? spec.Postgres : null,
            Redis = kind == ServiceKind.Redis ? RedisSpec.Default : null,
            Failover = kind == ServiceKind.Redis
                ? spec.Failover with { Synchronous = false, SynchronousStrict = false, Rejoin = setup.Next(2) == 0 ? RejoinMode.Auto : RejoinMode.Manual }
                : spec.Failover,
            Hooks = HooksSpec.None with { Fence = [.. Enumerable.Range(0, setup.Next(0, 3)).Select(i => new HookSpec([$"fence{i}"], TimeSpan.FromSeconds(5), setup.Next(3) > 0))] },
        };
        var world = new World(spec);
        var journal = new List<JournalEvent>();
        var pending = new Queue<Step>();
        var results = new Queue<Input>();
        // Epochs whose promotion needs no successful fence run: forced by an operator, or a switchover (its old primary stopped cleanly).
        var fenceExempt = new HashSet<long>();
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
                < 85 when results.TryDequeue(out Input? next) => next,
                < 85 when pending.TryDequeue(out Step? st) => Executed(st),
                < 86 when s.Failover is { Stage: FailoverStage.FenceFailed } => new ChangeRequested($"f-{step}", RequestKind.Failover, null, "checked by hand", "ops", Force: true),
                < 87 when s.Failover is null && s.Degraded => new ChangeRequested($"l-{step}", RequestKind.Failover, null, "lag unknown, checked by hand", "ops", Force: true),
                // A planned switchover, to a random member or the best candidate, at any moment (it is refused when it may not run).
                < 88 when rng.Next(3) == 0 => new ChangeRequested($"s-{step}", RequestKind.Switchover, rng.Next(2) == 0 ? null : spec.Members[rng.Next(spec.Members.Length)].Name, "patching", "ops"),
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

            // The executor reports a step's hooks (started, ended) before the step itself.
            Input Executed(Step st)
            {
                foreach (Input i in world.Execute(st, rng)) results.Enqueue(i);
                return results.Dequeue();
            }

            Input Restart()
            {
                pending.Clear();
                results.Clear();
                s = ServiceFold.Rebuild(spec, journal, out string? error);
                Assert.Null(error);
                return Journaled.Restarted;
            }
        }

        void Check(ServiceState before, Decision d, ServiceState s)
        {
            var types = d.Events.Select(e => e.Type).ToList();
            // Redis with failover.rejoin: auto: an old primary seen replicating from the primary is a candidate again.
            foreach (JournalEvent e in d.Events.Where(e => e is MemberRejoined)) failedOverFrom.Remove(e.Member!);
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
                bool changeEnded = ended || types.Contains(EventTypes.SwitchoverCompleted) || types.Contains(EventTypes.SwitchoverFailed);
                Assert.True(before.Failover is null || changeEnded, "two changes at once");
                // The cooldown holds automatic failovers back; a person's request may come at any time.
                bool requested = types.Contains(EventTypes.RequestExecuting);
                Assert.True(lastEnd is null || ended || requested || d.Events[0].Time >= lastEnd + spec.Failover.Cooldown, "failover within cooldown");
                string from = before.Failover is null ? before.Primary : d.State.Failover!.From;
                string to = s.Primary;
                MemberState target = s.Members[to];
                Assert.False(spec.Member(to).NoFailover, $"{to} has nofailover");
                Assert.DoesNotContain(to, failedOverFrom);
                Assert.True(target.Replication is { InRecovery: true }, $"{to} was not a standby");
                failedOverFrom.Add(from);
                if (types.Contains(EventTypes.FailoverForced))
                {
                    // Forced past the lag rules: the most advanced healthy standby, whatever its lag.
                    Assert.All(before.Members.Values.Where(m => Candidates.WhyNotForced(before, m) is null),
                        m => Assert.True(m.Replication!.ReceiveLsn <= target.Replication!.ReceiveLsn, $"{to} forced while {m.Name} received more"));
                }
                else
                {
                    long primaryLsn = s.Members[from].Replication!.CurrentLsn!.Value;
                    Assert.True(primaryLsn - target.Replication!.ReceiveLsn!.Value <= spec.Failover.MaxLagBytes, $"{to} promoted {primaryLsn - target.Replication.ReceiveLsn} bytes behind");
                    // Synchronous mode: the target holds every commit acknowledged so far, by the world's truth rather than the decider's view.
                    if (spec.Failover.Synchronous && kind == ServiceKind.Postgres)
                        Assert.True(world.Received(to) >= world.Acked, $"{to} promoted having received {world.Received(to)} while {world.Acked} was acknowledged");
                    Assert.Contains(to, s.Members[from].Replication!.Streaming);
                }
            }
            foreach (string from in failedOverFrom) Assert.NotEqual(from, s.Routable);

            // A switchover hands the epoch to its target only once the target has everything the stopped (paused) old primary wrote.
            if (before.Failover is { IsSwitchover: true, Stage: FailoverStage.CatchingUp } catching && s.Epoch > before.Epoch)
            {
                Assert.True(d.Events.Any(e => e is MemberFenced) && world.HasReplayed(catching.To),
                    $"epoch {s.Epoch} given to {catching.To} before it replayed the stopped primary's last write");
            }

            // A demotion only ever targets a server that is not the routable primary, and names the current primary.
            foreach (DemoteMember demote in d.Plan.OfType<DemoteMember>())
                Assert.True(demote.Member != s.Routable && demote.Primary == s.Primary && demote.Epoch == s.Epoch, $"demoting {demote.Member} to {demote.Primary} in epoch {demote.Epoch}");

            if (types.Contains(EventTypes.FailoverForced) && before.Failover is { Stage: FailoverStage.FenceFailed }) fenceExempt.Add(s.Epoch);
            // A switchover's old primary was stopped cleanly (or paused): its planned fence runs no hooks.
            foreach (FailoverProgress change in new[] { before.Failover, s.Failover }.OfType<FailoverProgress>().Where(c => c.IsSwitchover)) fenceExempt.Add(change.Epoch + 1);
            foreach (long epoch in d.Events.Where(e => e is MemberFenced).Select(e => e.Epoch).Concat(d.Plan.OfType<PromoteMember>().Select(p => p.Epoch)))
                Assert.True(fenceExempt.Contains(epoch) || LastFenceRunHeld(journal, spec, epoch), $"epoch {epoch}: promotion after a required fence hook failed, not forced");
            // A hook journaled as started is ended (or journaled as left) before its list runs again.
            if (d.Plan.OfType<FenceMember>().Any(f => !f.Planned) && !before.RunningHooks.IsEmpty)
                Assert.IsType<EndStaleHooks>(d.Plan[0]);

            ServiceState rebuilt = ServiceFold.Rebuild(spec, journal, out string? error);
            Assert.Null(error);
            // The fold property, as for http: the journal alone gives every part of the state checks do not observe,
            // and so does the journal from its newest snapshot on (what etcd keeps).
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(rebuilt));
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(Journaled.FromNewestSnapshot(spec, journal)));
            Assert.Equal(Journaled.Durable(s), Journaled.Durable(Journaled.ThroughSnapshot(s)));
        }
    }

    /// <summary>
    /// Whether the fence run that ended in the epoch's member.fenced ran every hook and no required one failed: the
    /// run is the fence hook events from the last first-hook one on (a restart runs the list again from its start).
    /// </summary>
    private static bool LastFenceRunHeld(IReadOnlyList<JournalEvent> journal, ServiceSpec spec, long epoch)
    {
        var hooks = journal.OfType<HookEvent>().Where(h => h.Epoch == epoch && h.Trigger == "fence").ToList();
        var run = hooks.Skip(Math.Max(0, hooks.FindLastIndex(h => h.Index == 0))).ToList();
        return run.Count == spec.Hooks.Fence.Length && !run.Any(h => h is HookFailed { Required: true });
    }

    /// <summary>
    /// What is really true: who is writable, WAL positions, who is alive, whose walreceiver is frozen, what each server's
    /// synchronous_standby_names holds, and how far the current primary has acknowledged commits to clients.
    /// </summary>
    private sealed class World(ServiceSpec spec)
    {
        private readonly Dictionary<string, bool> _alive = spec.Members.ToDictionary(m => m.Name, _ => true);
        private readonly Dictionary<string, bool> _frozen = spec.Members.ToDictionary(m => m.Name, _ => false);
        private readonly Dictionary<string, long> _received = spec.Members.ToDictionary(m => m.Name, _ => 0L);
        private readonly HashSet<string> _writable = ["pg1"];
        private long _lsn = 1000;

        /// <summary>Each server's synchronous_standby_names: the names, or (empty and <c>any</c>) '*' as strict mode writes it; empty alone: cleared.</summary>
        private readonly Dictionary<string, (string[] Names, bool Any)> _syncOf = spec.Members.ToDictionary(m => m.Name, _ => (Array.Empty<string>(), false));

        /// <summary>The server clients write to: the first primary, then the one last promoted (or started again); none once fenced.</summary>
        private string? _current = "pg1";

        /// <summary>The highest WAL position of a commit the current primary has acknowledged.</summary>
        public long Acked { get; private set; }

        public long Received(string member) => _received[member];

        /// <summary>A switchover's old primary, stopped (PostgreSQL) or paused (Redis) at this position; null while none is.</summary>
        private long? _stoppedAt;

        public bool HasReplayed(string member) => _stoppedAt is { } last && _received[member] >= last;

        public void Tick(Random rng)
        {
            // Only the current primary, alive, writes; a switchover's stopped one still ships what it wrote.
            bool writing = _current is { } c && _alive[c] && _writable.Contains(c);
            bool shipping = _current is { } p && _alive[p] && (writing || _stoppedAt is not null);
            int written = rng.Next(0, (int)(MiB / 2));
            if (writing) _lsn += written;
            foreach (var m in spec.Members.Select(m => m.Name))
            {
                if (rng.Next(30) == 0) _alive[m] = !_alive[m];
                if (rng.Next(40) == 0) _frozen[m] = !_frozen[m];
                int behind = rng.Next(0, 64 * 1024);
                if (shipping && _alive[m] && !_frozen[m] && !_writable.Contains(m)) _received[m] = Math.Max(_received[m], _lsn - behind);
            }
            if (writing) Acked = Math.Max(Acked, Acknowledged(_current!));
        }

        /// <summary>How far <paramref name="primary"/> acknowledges: its whole WAL without a synchronous standby, else what its synchronous one received.</summary>
        private long Acknowledged(string primary)
        {
            var (names, any) = _syncOf[primary];
            if (names.Length == 0 && !any) return _lsn;
            var waitedFor = SyncReported(primary);
            return waitedFor.Length == 0 ? Acked : Math.Min(_lsn, waitedFor.Max(m => _received[m]));
        }

        /// <summary>What pg_stat_replication reports sync: the first named standby that streams (a frozen walreceiver still does), or any one for '*'.</summary>
        private string[] SyncReported(string primary)
        {
            var (names, any) = _syncOf[primary];
            var streaming = spec.Members.Select(x => x.Name).Where(x => _alive[x] && !_writable.Contains(x)).ToList();
            return any ? [.. streaming.Take(1)] : [.. names.Where(streaming.Contains).Take(1)];
        }

        public CheckObserved Check(Random r, DateTimeOffset at)
        {
            string m = spec.Members[r.Next(spec.Members.Length)].Name;
            if (!_alive[m]) return Fail(m, at);
            // Streaming: the live servers that are not writable (a frozen walreceiver still shows as streaming, lagging).
            return _writable.Contains(m)
                ? new CheckObserved(CheckResult.Passed(m, at, TimeSpan.Zero, "primary", ReplicationView.Primary(_lsn, sync: [.. SyncReported(m)],
                    streaming: [.. spec.Members.Select(x => x.Name).Where(x => _alive[x] && !_writable.Contains(x))])))
                : new CheckObserved(CheckResult.Passed(m, at, TimeSpan.Zero, "standby", ReplicationView.Standby(_received[m], _received[m])));
        }

        private int _pid = 1000;

        /// <summary>A step's reports: a fence's hooks first (each started, then ended), stale hooks found gone or ended, then the step.</summary>
        public IEnumerable<Input> Execute(Step step, Random r)
        {
            if (step is FenceMember { Planned: false } fence)
                for (int i = 0; i < spec.Hooks.Fence.Length; i++)
                {
                    bool hookOk = r.Next(4) > 0;
                    yield return new HookLaunched(new RunningHook("fence", i, fence.Epoch, $"fence{i}", ++_pid, _pid, _pid * 10L, "boot", "host"));
                    yield return new HookFinished(HookTrigger.Fence, fence.NewPrimary, fence.Epoch, i,
                        new HookOutcome($"fence{i}", hookOk, hookOk ? 0 : 1, false, TimeSpan.FromMilliseconds(5), "", hookOk ? "exited 0" : "exited 1"));
                }
            if (step is EndStaleHooks stale)
                foreach (RunningHook hook in stale.Hooks) yield return new StaleHookEnded(hook, (HookEndOutcome)r.Next(5), "simulated");
            yield return Completed(step, r);
        }

        private StepCompleted Completed(Step step, Random r)
        {
            bool ok = r.Next(10) > 0;
            switch (step)
            {
                case PromoteMember p when ok && _alive[p.Member]:
                    _writable.Add(p.Member);
                    _stoppedAt = null;
                    // The executor promotes with the setting reset; what the new primary acknowledges starts from its own history.
                    _syncOf[p.Member] = ([], spec.Failover.SynchronousStrict);
                    _current = p.Member;
                    Acked = Math.Min(Acked, _received[p.Member]);
                    break;
                case PromoteMember:
                    ok = false;
                    break;
                case DemoteMember demote when ok && _alive[demote.Member]:
                    _writable.Remove(demote.Member);
                    break;
                case DemoteMember:
                    ok = false;
                    break;
                case SetSynchronousStandbys sync when ok:
                    _syncOf[sync.Primary] = ([.. sync.Standbys], sync.Strict && sync.Standbys.IsEmpty);
                    break;
                case StopMember stop when ok && _alive[stop.Member]:
                    _writable.Remove(stop.Member);
                    _stoppedAt = _lsn;
                    return new StepCompleted(step, true, "simulated") { Lsn = _lsn };
                case StopMember:
                    return new StepCompleted(step, false, "simulated");
                case AwaitReplay wait:
                    // Reported caught up only when it really is (the real step reads the target's replay position).
                    return new StepCompleted(step, ok && _alive[wait.Member] && _received[wait.Member] >= wait.Lsn, "simulated");
                case FenceMember { Planned: false } fence when ok && _current == fence.Member:
                    _current = null; // fenced: its clients are cut off, it acknowledges nothing more
                    break;
                case StartMember start when ok && _alive[start.Member]:
                    _writable.Add(start.Member);
                    _stoppedAt = null;
                    _current = start.Member;
                    break;
                case StartMember:
                    ok = false;
                    break;
                case FollowPrimary follow when ok:
                    _alive[follow.Member] = true;
                    _writable.Remove(follow.Member);
                    _stoppedAt = null;
                    break;
            }
            return new StepCompleted(step, ok, "simulated");
        }
    }
}
