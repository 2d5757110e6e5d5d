using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Failover;

/// <summary>Issue 13, item 6: a hook's start is journaled, and one left running by a killed controller is ended before anything re-runs.</summary>
public class DeciderStaleHookTests
{
    private const long MiB = 1024 * 1024;

    private static readonly ServiceSpec Spec = Postgres() with { Hooks = HooksSpec.None with { Fence = [new HookSpec(["stop-old", "pg1"], TimeSpan.FromSeconds(60))] } };

    private static readonly RunningHook Stop = new("fence", 0, 2, "stop-old pg1", 4242, 4242, 987654, "boot-a", "host-a");

    private static ServiceState Fencing()
    {
        var s = ServiceState.Initial(Spec);
        Walk(ref s, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0), (PgStandby("pg3", T0, 10 * MiB - 10), T0),
            (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2)));
        return s;
    }

    [Fact]
    public void Decide_HookLaunched_JournalsItsProcessGroupUntilItEnds()
    {
        var s = Fencing();

        var started = Decider.Decide(s, new HookLaunched(Stop), At(2));

        Assert.Equal([EventTypes.HookStarted], started.Types());
        Assert.Equal("fence hook 1 `stop-old pg1` (pid 4242) started in its own process group 4242", started.Reason);
        Assert.Equal(2, started.Events[0].Epoch);
        Assert.Equal(Stop, Assert.Single(started.State.RunningHooks));
        var ended = Decider.Decide(started.State, new HookFinished(HookTrigger.Fence, "pg2", 2, 0,
            new HookOutcome("stop-old pg1", true, 0, false, TimeSpan.FromSeconds(1), "", "exited 0 after 1000 ms")), At(3));
        Assert.Empty(ended.State.RunningHooks);
    }

    [Fact]
    public void Decide_RestartedWhileAFenceHookRan_EndsItBeforeFencingAgain()
    {
        var s = Fencing();
        var events = new List<JournalEvent>(FailingOverEvents());
        events.AddRange(Decider.Decide(s, new HookLaunched(Stop), At(2)).Events);
        var rebuilt = ServiceFold.Rebuild(Spec, events, out string? error);
        Assert.Null(error);

        var d = Decider.Decide(rebuilt, Journaled.Restarted, At(5));

        Assert.Equal<Step>([new EndStaleHooks([Stop], 2), new FenceMember("pg1", "pg2", 2)], d.Plan);
        var ended = Decider.Decide(d.State, new StaleHookEnded(Stop, HookEndOutcome.Terminated, "gone after 12 ms"), At(5.1));
        Assert.Equal([EventTypes.HookEnded], ended.Types());
        Assert.Equal("fence hook 1 `stop-old pg1` (pid 4242) was still running, left by the previous controller: process group 4242 ended with SIGTERM (gone after 12 ms)",
            ended.Reason);
        Assert.Equal("terminated", ended.Events[0].Detail("outcome"));
        Assert.Empty(ended.State.RunningHooks);
        Assert.False(Decider.Decide(ended.State, new StepCompleted(d.Plan[0], true, "1 of 1 no longer run"), At(5.2)).Changed);
    }

    [Theory]
    [InlineData(HookEndOutcome.Survived, "could not be ended (D state): it may run beside its re-run")]
    [InlineData(HookEndOutcome.Elsewhere, "was started on another host (D state) and cannot be ended from here")]
    public void Decide_StaleHookStillRunning_AlertsCritical(HookEndOutcome outcome, string says)
    {
        var s = Decider.Decide(Fencing(), new HookLaunched(Stop), At(2)).State;

        var d = Decider.Decide(s, new StaleHookEnded(Stop, outcome, "D state"), At(3));

        Assert.Equal([EventTypes.HookEnded, EventTypes.AlertRaised], d.Types());
        Assert.Contains(says, d.Reason);
        Assert.Equal("critical", ((AlertRaised)d.Events[1]).Severity);
    }

    [Fact]
    public void Snapshot_KeepsRunningHooks()
    {
        var s = Decider.Decide(Fencing(), new HookLaunched(Stop), At(2)).State;

        Assert.Equal(Stop, Assert.Single(Journaled.ThroughSnapshot(s).RunningHooks));
    }

    private static IEnumerable<JournalEvent> FailingOverEvents()
    {
        var s = ServiceState.Initial(Spec);
        return Walk(ref s, (PgPrimary("pg1", T0, 10 * MiB), T0), (PgStandby("pg2", T0, 10 * MiB), T0), (PgStandby("pg3", T0, 10 * MiB - 10), T0),
            (Fail("pg1", At(1)), At(1)), (Fail("pg1", At(1.2)), At(1.2))).SelectMany(d => d.Events);
    }
}
