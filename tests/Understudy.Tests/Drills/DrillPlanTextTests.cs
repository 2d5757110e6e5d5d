using Understudy.Core.Drills;
using Understudy.Drills;

namespace Understudy.Tests.Drills;

public sealed class DrillPlanTextTests
{
    /// <summary>One step of every kind, each with values that show up in the plan only if it reads them.</summary>
    private const string EveryStep = """
        name: every step
        description: one of each
        environment: staging
        service: web
        controller: http://127.0.0.1:7400
        targets: { rto: 5s, recovery: 4s, rpo: 0, availability: 99.5%, rto_tolerance: 25% }
        probes:
          - { name: web, http: { url: "http://127.0.0.1:9000/", interval: 20ms, timeout: 500ms } }
          - { name: port, tcp: { address: 127.0.0.1:9000, interval: 50ms, timeout: 250ms } }
        steady_state: { duration: 7s, max_error_rate: 2% }
        faults:
          - kill_process: { pid: 4242, signal: TERM }
          - kill_process: { pidfile: /run/pg.pid }
          - kill_process: { member: web-a }
          - proxy: { member: web-b, fault: blackhole, duration: 2s }
          - proxy: { member: web-b, fault: latency, duration: 3s, latency: 200ms, jitter: 50ms }
          - proxy: { member: web-b, fault: reset, duration: 1s }
          - wait: 2s
          - manual: { instruction: pull the plug on rack 4, timeout: 5m }
        recovery: { timeout: 45s, stable_for: 2s }
        verify:
          - alert_received: { within: 30s }
          - http: { url: "http://127.0.0.1:9000/health", expect_status: 204, expect_body: ok, timeout: 3s }
        rollback:
          - exec: { command: [systemctl, start, web-a], timeout: 2m }
        stop_conditions:
          max_outage: 90s
          max_error_rate: { rate: 50%, window: 10s }
          max_p99: { latency: 2s, window: 5s }
          command: { run: [sh, -c, "test ! -e STOP"], interval: 2s, timeout: 3s }
        """;

    private static DrillSpec Load(string yaml)
    {
        DrillResult result = DrillLoader.Parse(yaml, "drill.yaml", Path.GetTempPath());
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        return result.Spec!;
    }

    private static List<string> Plan(string yaml = EveryStep) => [.. DrillPlanText.Lines(Load(yaml))];

    /// <summary>The lines from <paramref name="heading"/> up to the next unindented line.</summary>
    private static List<string> Section(List<string> plan, string heading) =>
        [.. plan.SkipWhile(l => !l.StartsWith(heading, StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith(' '))];

    [Fact]
    public void Lines_Header_NamesTheDrillEnvironmentServiceAndController()
    {
        List<string> plan = Plan();

        Assert.Equal(["drill: every step (one of each)", "environment: staging", "service: web, controller http://127.0.0.1:7400/"], plan.Take(3));
    }

    [Fact]
    public void Lines_Probes_EachWithKindTargetIntervalAndTimeout()
    {
        Assert.Equal(
            ["  web: http http://127.0.0.1:9000/ every 20 ms, timeout 500 ms", "  port: tcp 127.0.0.1:9000 every 50 ms, timeout 250 ms"],
            Section(Plan(), "probes"));
    }

    [Fact]
    public void Lines_Faults_EveryKindInOrderWithWhatItWouldDo()
    {
        Assert.Equal(
        [
            "  1. kill_process pid 4242 (SIGTERM): send SIGTERM to pid 4242; expects the process gets SIGTERM",
            "  2. kill_process pidfile /run/pg.pid (SIGKILL): send SIGKILL to the pid on the first line of /run/pg.pid; expects the process gets SIGKILL",
            "  3. kill_process member web-a (SIGKILL): send SIGKILL to member web-a's process (its pidfile from the controller's config); expects the process gets SIGKILL",
            "  4. proxy blackhole web-b for 2 s: the controller's proxy leaves traffic to web-b unanswered for 2 s; expects the controller's proxy applies the fault",
            "  5. proxy latency 200 ms ± 50 ms to web-b for 3 s: the controller's proxy delays traffic to web-b by 200 ms ± 50 ms for 3 s; expects the controller's proxy applies the fault",
            "  6. proxy reset web-b for 1 s: the controller's proxy resets connections to web-b for 1 s; expects the controller's proxy applies the fault",
            "  7. wait 2 s: do nothing for 2 s; expects 2 s pass",
            "  8. manual: pull the plug on rack 4: ask the operator to: pull the plug on rack 4 (a manual step fails the verdict); expects an operator confirms within 5 min",
        ], Section(Plan(), "faults"));
    }

    [Fact]
    public void Action_NetworkFaults_SayWhatIsHitAndWhenNftExpiresIt()
    {
        var port = new NetworkTarget(System.Net.IPAddress.Loopback, 9001);
        DrillStep[] steps =
        [
            new NetworkFault(port, NetworkFaultKind.Drop, TimeSpan.FromSeconds(10)),
            new NetworkFault(new NetworkTarget(System.Net.IPAddress.Parse("10.0.0.7"), null), NetworkFaultKind.Loss, TimeSpan.FromSeconds(30), LossPercent: 2),
            new NetworkFault(port, NetworkFaultKind.Delay, TimeSpan.FromSeconds(5), Delay: TimeSpan.FromMilliseconds(300), Jitter: TimeSpan.FromMilliseconds(50)),
        ];

        Assert.Equal(
        [
            "drop every packet between this host and 127.0.0.1:9001 for 10 s (nft rules in a table of this run, expiring on their own 15 s after they are applied); expects nft applies the rules",
            "drop 2 % of the packets between this host and 10.0.0.7 for 30 s (nft rules in a table of this run, expiring on their own 35 s after they are applied); expects nft applies the rules",
            "the controller's proxy delays traffic to the member at 127.0.0.1:9001 by 300 ms ± 50 ms for 5 s (this kernel has no netem); expects the controller's proxy delays the member at the target",
        ], steps.Select(s => $"{DrillPlanText.Action(s)}; expects {Understudy.Drills.Steps.StepRunner.Expected(s)}"));
    }

    [Fact]
    public void Lines_Verify_AlertAndHttpCheck()
    {
        List<string> verify = Section(Plan(), "verify");

        Assert.Equal(2, verify.Count);
        Assert.StartsWith("  1. alert_received within 30 s: read the controller's journal for the alert; expects alert.delivered", verify[0]);
        Assert.Equal("  2. http GET http://127.0.0.1:9000/health expects 204 with 'ok': one GET, timeout 3 s; expects HTTP 204 with 'ok'", verify[1]);
    }

    [Fact]
    public void Lines_Rollback_ListsItsStepsAfterVerify()
    {
        List<string> plan = Plan();

        Assert.Equal(["  1. exec systemctl start web-a: run the command; expects exits 0 within 120 s"], Section(plan, "rollback"));
        Assert.True(plan.FindIndex(l => l.StartsWith("rollback", StringComparison.Ordinal)) > plan.FindIndex(l => l.StartsWith("verify", StringComparison.Ordinal)));
    }

    [Fact]
    public void Lines_NoRollbackSteps_SaysSoRatherThanLeavingItOut()
    {
        string yaml = EveryStep[..EveryStep.IndexOf("rollback:", StringComparison.Ordinal)];

        Assert.Equal(["  (no rollback steps)"], Section(Plan(yaml), "rollback"));
    }

    [Fact]
    public void Lines_PhasesStopConditionsAndTargets()
    {
        List<string> plan = Plan();

        Assert.Contains("steady state: 7 s with at most 2 % errors, else abort before any fault", plan);
        Assert.Contains("recovery: 2 s of unbroken successes on every probe, within 45 s of the fault", plan);
        Assert.Equal([
            "  max_outage: a probe fails for 90 s without a break (from the fault on)",
            "  max_error_rate: more than 50 % of a probe's attempts failed in the last 10 s (from the fault on, once the window holds 10 of its attempts)",
            "  max_p99: the p99 latency of a probe's successful attempts in the last 5 s is above 2000 ms (from the fault on, once the window holds 10 of them)",
            "  command: sh -c test ! -e STOP exits non-zero or runs over 3 s (run every 2 s from the start of steady state)",
        ], Section(plan, "stop conditions (the first to fire aborts the drill, which then rolls back):"));
        Assert.Equal(
            "targets: RTO ≤ 5 s (+25 %), recovery ≤ 4 s, RPO ≤ 0 lost writes, availability ≥ 99.5 % (a target left out comes from service web on the controller, if it sets one)",
            plan[^1]);
    }

    [Fact]
    public void Lines_Unlinked_NoControllerNoStopConditionsNoTargets()
    {
        List<string> plan = Plan("""
            name: smallest
            probes: [ { name: web, http: { url: "http://127.0.0.1:9000/" } } ]
            faults:
              - wait: 1s
            """);

        Assert.Contains("service: none, no controller", plan);
        Assert.Contains("stop conditions: none", plan);
        Assert.Equal("targets: none", plan[^1]);
        Assert.DoesNotContain(plan, l => l.StartsWith("verify", StringComparison.Ordinal));
    }

    [Fact]
    public void Targets_RpoWindow()
    {
        Assert.Equal("RPO window ≤ 2 s", DrillPlanText.Targets(DrillTargets.None with { Rpo = new(null, TimeSpan.FromSeconds(2)) }));
    }

    [Fact]
    public void Summary_CountsStepsOfEveryListAndProbes()
    {
        Assert.Equal(
            "drill every step on service web: 11 steps, 2 probes, targets RTO ≤ 5 s (+25 %), recovery ≤ 4 s, RPO ≤ 0 lost writes, availability ≥ 99.5 %, stop conditions max_outage, max_error_rate, max_p99, command",
            DrillPlanText.Summary(Load(EveryStep)));
    }
}
