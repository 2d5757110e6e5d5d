using Microsoft.Extensions.Time.Testing;
using Understudy.Api;
using Understudy.Cli;
using Understudy.Core.Alerts;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Watch;

namespace Understudy.Tests.Watch;

/// <summary>Issue 15: the deploy watch's gate, fed states and samples at explicit instants; and the loop that runs it, on a fake clock.</summary>
public sealed class DeployGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);
    private static readonly GateSettings Defaults = new(TimeSpan.FromSeconds(2), 0.99, TimeSpan.FromSeconds(30), null);
    private static readonly ServiceObservation Steady = new(3, "web-a", "steady", "up", "web-a", null);

    private static DateTimeOffset At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    private static ProbeSample Sample(long seq, double startSeconds, bool ok, double latencyMs = 5) =>
        new(seq, At(startSeconds), At(startSeconds) + TimeSpan.FromMilliseconds(latencyMs), ok, ok ? ErrorKind.None : ErrorKind.Refused, Detail: ok ? "HTTP 200" : "connection refused");

    [Fact]
    public void Observe_SteadyThroughout_NeverBreaches()
    {
        var gate = new DeployGate(Defaults, Steady);

        for (int s = 0; s < 300; s++) Assert.Null(gate.Observe(At(s), Steady));
    }

    [Fact]
    public void Observe_EpochMoved_BreachesAtOnce_NamingBothPrimaries()
    {
        var gate = new DeployGate(Defaults, Steady);

        GateBreach? breach = gate.Observe(At(1), Steady with { Epoch = 4, Primary = "web-b", Routable = "web-b" });

        Assert.Equal("failover", breach?.Rule);
        Assert.Equal("the epoch moved from 3 to 4: the primary is now web-b, was web-a", breach?.Reason);
    }

    [Theory]
    [InlineData("failover")]
    [InlineData("switchover")]
    public void Observe_ChangeOfPrimaryInProgress_BreachesAtOnce(string kind)
    {
        var gate = new DeployGate(Defaults, Steady);

        GateBreach? breach = gate.Observe(At(1), Steady with { Phase = kind == "failover" ? "failing_over" : "switching_over", FailoverKind = kind });

        Assert.Equal("failover", breach?.Rule);
        Assert.Contains($"a {kind} of web-a started", breach?.Reason);
    }

    [Fact]
    public void Observe_PrimaryDownShorterThanGraceThenBack_DoesNotBreach_AndTheClockStartsAgain()
    {
        var gate = new DeployGate(Defaults, Steady);
        var down = Steady with { PrimaryHealth = "down", Phase = "primary_down" };

        Assert.Null(gate.Observe(At(10), down));
        Assert.Null(gate.Observe(At(11.9), down));
        Assert.Null(gate.Observe(At(12), Steady));
        // A new outage is timed from its own start, not the first one's.
        Assert.Null(gate.Observe(At(13), down));
        Assert.Null(gate.Observe(At(14.5), down));
        Assert.Equal("primary", gate.Observe(At(15), down)?.Rule);
    }

    [Fact]
    public void Observe_PrimaryDownForTheGrace_Breaches_SayingForHowLong()
    {
        var gate = new DeployGate(Defaults, Steady);
        var down = Steady with { PrimaryHealth = "down", Phase = "primary_down" };

        Assert.Null(gate.Observe(At(5), down));
        GateBreach? breach = gate.Observe(At(7), down);

        Assert.Equal(At(7), breach?.At);
        Assert.Equal("primary web-a is down for 2.0 s (grace 2s)", breach?.Reason);
    }

    [Theory]
    [InlineData("up", null, "steady", "the proxy routes to no member")]
    [InlineData("up", "web-a", "held", "the service is held")]
    [InlineData("up", "web-a", "degraded", "the service is degraded")]
    public void Observe_GraceZero_AnyOutageBreachesOnFirstSight(string health, string? routable, string phase, string expected)
    {
        var gate = new DeployGate(Defaults with { Grace = TimeSpan.Zero }, Steady);

        GateBreach? breach = gate.Observe(At(1), Steady with { PrimaryHealth = health, Routable = routable, Phase = phase });

        Assert.StartsWith(expected, breach?.Reason);
    }

    [Fact]
    public void Observe_PausedOrSuspectedButServing_IsNotAnOutage()
    {
        var gate = new DeployGate(Defaults with { Grace = TimeSpan.Zero }, Steady);

        Assert.Null(gate.Observe(At(1), Steady with { Phase = "paused" }));
    }

    [Fact]
    public void Check_NoAttemptsYet_GivesNoVerdict()
    {
        var gate = new DeployGate(Defaults, Steady);

        Assert.Null(gate.Check(At(0), "web", []));
    }

    [Fact]
    public void Check_AvailabilityAtTheMinimum_Passes_OneFailureMore_Breaches()
    {
        var gate = new DeployGate(Defaults with { Window = TimeSpan.FromSeconds(100) }, Steady);
        // 100 attempts in the window, one failed: exactly 99 %.
        List<ProbeSample> samples = [.. Enumerable.Range(0, 100).Select(i => Sample(i, i, ok: i != 50))];

        Assert.Null(gate.Check(At(99.5), "web", samples));

        samples[60] = Sample(60, 60, ok: false);
        GateBreach? breach = gate.Check(At(99.5), "web", samples);
        Assert.Equal("availability", breach?.Rule);
        Assert.Equal("probe web: 98 of 100 attempts succeeded in the last 100s (98%, below 99%); last failure: connection refused", breach?.Reason);
    }

    [Fact]
    public void Check_SlidingWindow_FailuresThatStartedBeforeIt_NoLongerCount()
    {
        var gate = new DeployGate(Defaults with { Window = TimeSpan.FromSeconds(10) }, Steady);
        List<ProbeSample> samples = [.. Enumerable.Range(0, 30).Select(i => Sample(i, i, ok: i is not (3 or 4)))];

        Assert.NotNull(gate.Check(At(12), "web", samples));
        // At 14.5 s the window starts after 4.5 s: both failures are out of it.
        Assert.Null(gate.Check(At(14.5), "web", samples));
    }

    [Fact]
    public void Check_MaxP99_OnlyWhenAsked_AndOnlyAboveIt()
    {
        List<ProbeSample> samples = [.. Enumerable.Range(0, 100).Select(i => Sample(i, i * 0.1, ok: true, latencyMs: i < 98 ? 10 : 900))];
        var unchecked_ = new DeployGate(Defaults, Steady);
        var loose = new DeployGate(Defaults with { MaxP99 = TimeSpan.FromMilliseconds(900) }, Steady);
        var tight = new DeployGate(Defaults with { MaxP99 = TimeSpan.FromMilliseconds(500) }, Steady);

        Assert.Null(unchecked_.Check(At(10), "web", samples));
        Assert.Null(loose.Check(At(10), "web", samples));
        GateBreach? breach = tight.Check(At(10), "web", samples);
        Assert.Equal("latency", breach?.Rule);
        Assert.Equal("probe web: p99 latency 900 ms over the last 30s, above 500ms", breach?.Reason);
    }

    [Fact]
    public void Describe_SaysEachRuleWithItsValues()
    {
        Assert.Equal(3, DeployGate.Describe(Defaults).Count);
        IReadOnlyList<string> rules = DeployGate.Describe(Defaults with { MaxP99 = TimeSpan.FromMilliseconds(250), MinAvailability = 0.995 });

        Assert.Equal(4, rules.Count);
        Assert.Contains("for 2s or longer", rules[1]);
        Assert.Contains("at or above 99.5%", rules[2]);
        Assert.Contains("at or below 250ms", rules[3]);
    }

    [Fact]
    public async Task Watch_HealthyForTheWholeWindow_EndsWithoutABreach_AtTheEnd()
    {
        var time = new FakeTimeProvider(T0);
        using var polled = new SemaphoreSlim(0);
        var watch = new DeployWatch(new DeployGate(Defaults, Steady), [], _ => { polled.Release(); return Task.FromResult(Steady); }, time, _ => { });

        Task<GateBreach?> running = watch.RunAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), CancellationToken.None);
        for (int i = 0; i < 5; i++) await TickAsync(time, polled);

        Assert.Null(await running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(At(5), time.GetUtcNow());
    }

    [Fact]
    public async Task Watch_FailoverOnTheThirdPoll_EndsThereWithThatBreach_AndSaysWhenTheControllerWasSilent()
    {
        var time = new FakeTimeProvider(T0);
        using var polled = new SemaphoreSlim(0);
        var said = new List<string>();
        int n = 0;
        var watch = new DeployWatch(new DeployGate(Defaults, Steady), [], _ =>
        {
            polled.Release();
            return ++n switch
            {
                1 => throw new ApiException("cannot reach the controller"),
                2 => Task.FromResult(Steady),
                _ => Task.FromResult(Steady with { Epoch = 4, Primary = "web-b" }),
            };
        }, time, said.Add);

        Task<GateBreach?> running = watch.RunAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), CancellationToken.None);
        for (int i = 0; i < 3; i++) await TickAsync(time, polled);

        GateBreach? breach = await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("failover", At(3)), (breach?.Rule, breach?.At));
        Assert.Equal(2, said.Count);
        Assert.StartsWith("the controller did not answer (cannot reach the controller)", said[0]);
        Assert.Equal("the controller answers again", said[1]);
    }

    /// <summary>One interval on the fake clock, then until the watch has polled for it.</summary>
    private static async Task TickAsync(FakeTimeProvider time, SemaphoreSlim polled)
    {
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await polled.WaitAsync(TimeSpan.FromSeconds(10)), "the watch did not poll after the tick");
    }

    [Fact]
    public void RollbackArgv_DoubleQuotesGroup_NoShell()
    {
        Assert.True(RollbackArgv.TryParse("""deploy/rollback.sh --to "v1 2" web""", out IReadOnlyList<string> argv, out _));
        Assert.Equal(["deploy/rollback.sh", "--to", "v1 2", "web"], argv);
        Assert.Equal("""deploy/rollback.sh --to "v1 2" web""", RollbackArgv.Show(argv));
    }

    [Theory]
    [InlineData(null, "--rollback is required")]
    [InlineData("  ", "--rollback is required")]
    [InlineData("kubectl rollout undo 'deployment/web'", "single quotes are not understood")]
    [InlineData("helm rollback web && notify", "'&&' needs a shell")]
    [InlineData("undo.sh > log", "'>' needs a shell")]
    public void RollbackArgv_WhatAShellWouldNeed_IsRefusedWithTheReason(string? text, string expected)
    {
        Assert.False(RollbackArgv.TryParse(text, out _, out string whyNot));
        Assert.Contains(expected, whyNot);
    }

    [Fact]
    public void Endpoint_Check_NamesTheFirstWrongField()
    {
        var good = new DeployWatchBody("primary web-a is down for 2.0 s (grace 2s)", ["undo.sh"], true, 0, "exited 0 after 12 ms");

        Assert.Null(DeployWatchEndpoints.Check(good));
        Assert.Contains("breach: required", DeployWatchEndpoints.Check(good with { Breach = " " })?.ProblemDetails.Detail);
        Assert.Contains("command: required", DeployWatchEndpoints.Check(good with { Command = [] })?.ProblemDetails.Detail);
        Assert.Contains("command: control characters", DeployWatchEndpoints.Check(good with { Command = ["undo.sh", "a\nb"] })?.ProblemDetails.Detail);
        Assert.Contains("succeeded: required", DeployWatchEndpoints.Check(good with { Succeeded = null })?.ProblemDetails.Detail);
        Assert.Contains("outcome: at most 500", DeployWatchEndpoints.Check(good with { Outcome = new string('x', 501) })?.ProblemDetails.Detail);
    }

    [Theory]
    [InlineData(true, AlertSeverity.Error)]
    [InlineData(false, AlertSeverity.Critical)]
    public void Notification_RolledBack_IsAnAlertOfTheService_CriticalWhenTheRollbackFailed(bool succeeded, AlertSeverity severity)
    {
        var e = new DeployRolledBack("primary web-a is down", ["undo.sh"], succeeded, succeeded ? 0 : 1, "exited 1") { Service = "web", Reason = "deploy rolled back: primary web-a is down" };

        Notification? n = NotificationRules.For(e);

        Assert.Equal((severity, AlertAction.Trigger, AlertTopics.Degraded, "understudy/web/deploy"), (n?.Severity, n?.Action, n?.Topic, n?.DedupKey));
        Assert.Equal(EventTypes.DeployRolledBack, e.Type);
    }
}
