namespace Understudy.Tests.Drills.Loading;

/// <summary>faults, verify, rollback: which kinds go where, one key per item, each kind's settings.</summary>
public partial class DrillLoaderTests
{
    /// <summary>Linked without its faults (four lines), then <paramref name="lists"/> from line 5.</summary>
    private static string Steps(string lists) => Linked.Replace("faults:\n  - wait: 1s\n", "") + "\n" + lists;

    [Fact]
    public void Parse_NoFaults_SaysOneIsNeeded() => AssertErrors(
        Minimal.Replace("  - wait: 1s", "  []"),
        "drill.yaml:4:3 faults: at least one step is required (one of kill_process, proxy, network, exec, wait, manual)");

    [Fact]
    public void Parse_StepInTheWrongList_SaysWhereItIsAllowed() => AssertErrors(
        Steps("faults:\n  - alert_received: { within: 30s }\nverify:\n  - kill_process: { pid: 1 }\nrollback:\n  - http: { url: \"http://h/\" }"),
        "drill.yaml:6:5 faults[0].alert_received: allowed only in verify (steps allowed in faults: kill_process, proxy, network, exec, wait, manual)",
        "drill.yaml:8:5 verify[0].kill_process: allowed only in faults and rollback (steps allowed in verify: alert_received, http, exec, manual, wait)",
        "drill.yaml:10:5 rollback[0].http: allowed only in verify (steps allowed in rollback: exec, kill_process, proxy, wait, manual)");

    [Fact]
    public void Parse_UnknownStepKind_SuggestsTheSpelling() => AssertErrors(
        Steps("faults:\n  - killProcess: { pid: 1 }"),
        "drill.yaml:6:5 faults[0].killProcess: unknown key; did you mean 'kill_process'? (accepted: kill_process, proxy, network, exec, wait, manual)");

    [Fact]
    public void Parse_TwoKindsInOneItem_AsksForAnItemEach() => AssertErrors(
        Steps("faults:\n  - kill_process: { member: web-a }\n    wait: 2s"),
        "drill.yaml:7:5 faults[0].wait: one step per item: put wait in an item of its own (this one is kill_process)");

    [Fact]
    public void Parse_StepThatIsNotAMapping_ShowsTheShape() => AssertErrors(
        Steps("faults:\n  - wait\n  - {}"),
        "drill.yaml:6:5 faults[0]: expected a step, a mapping with one key such as { wait: 2s }, got 'wait'",
        "drill.yaml:7:5 faults[1]: expected one step (kill_process, proxy, network, exec, wait, manual), got an empty mapping");

    [Fact]
    public void Parse_ControllerStepsWithoutController_NeedOne() => AssertErrors(
        Minimal.Replace("  - wait: 1s", "  - proxy: { member: web-a, fault: reset, duration: 1s }\n  - kill_process: { member: web-a }")
            + "\nverify: [ { alert_received: { within: 30s } } ]",
        "drill.yaml:4:5 faults[0].proxy: needs controller: proxy faults are applied by the controller's built-in proxy; set controller and service",
        "drill.yaml:5:21 faults[1].kill_process.member: needs controller: a member's pidfile is read from the controller's config; set controller and service",
        "drill.yaml:6:13 verify[0].alert_received: needs controller: alerts are read from the controller's journal; set controller and service");

    [Fact]
    public void Parse_KillProcessTargets_ExactlyOne() => AssertErrors(
        Steps("faults:\n  - kill_process: { signal: KILL }\n  - kill_process: { pid: 12, pidfile: run/a.pid }"),
        "drill.yaml:6:19 faults[0].kill_process: required: one of pid, pidfile, member",
        "drill.yaml:7:30 faults[1].kill_process.pidfile: only one of pid, pidfile, member (pid is already set)");

    [Fact]
    public void Parse_BadKillProcessValues_AreEachReported() => AssertErrors(
        Steps("faults:\n  - kill_process: { pid: 0, signal: BOOM }\n  - kill_process: { member: Web_A }"),
        "drill.yaml:6:26 faults[0].kill_process.pid: must be ≥ 1 (got 0)",
        "drill.yaml:6:37 faults[0].kill_process.signal: expected a signal: one of KILL, TERM, INT, STOP, CONT, HUP, QUIT, USR1, USR2 "
        + "(SIG prefix and lower case also accepted), got 'BOOM'",
        "drill.yaml:7:29 faults[1].kill_process.member: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'Web_A')");

    [Fact]
    public void Parse_ProxyLatencyKeys_BelongToTheLatencyFault() => AssertErrors(
        Steps("faults:\n  - proxy: { member: web-a, fault: latency, duration: 5s }\n  - proxy: { member: web-a, fault: blackhole, duration: 5s, jitter: 5ms }"),
        "drill.yaml:6:12 faults[0].proxy.latency: required: the delay added, e.g. latency: 200ms",
        "drill.yaml:7:61 faults[1].proxy.jitter: only for fault latency (this fault is blackhole)");

    [Fact]
    public void Parse_BadProxyValues_AreEachReported() => AssertErrors(
        Steps("faults:\n  - proxy: { member: web-a, fault: partition, duration: 0 }\n  - proxy: { fault: reset }"),
        "drill.yaml:6:36 faults[0].proxy.fault: expected one of blackhole, latency, reset, got 'partition'",
        "drill.yaml:6:57 faults[0].proxy.duration: must be > 0 (got 0)",
        "drill.yaml:7:12 faults[1].proxy.member: required: the member whose traffic the proxy disturbs",
        "drill.yaml:7:12 faults[1].proxy.duration: required: how long the fault lasts, e.g. duration: 10s");

    [Fact]
    public void Parse_BadExecAndWaitAndManual_AreEachReported() => AssertErrors(
        Steps("faults:\n  - exec: \"fly machine stop x\"\n  - exec: []\n  - exec: { command: [a], timeout: 0 }\n  - wait: 0\n  - manual: { timeout: 1m }"),
        "drill.yaml:6:11 faults[0].exec: expected a command as a sequence of strings, e.g. [systemctl, restart, web], or { command: [...], timeout: 30s }, got 'fly machine stop x'",
        "drill.yaml:7:11 faults[1].exec: expected a command as a sequence of strings, e.g. [systemctl, restart, web], got an empty sequence",
        "drill.yaml:8:36 faults[2].exec.timeout: must be > 0 (got 0)",
        "drill.yaml:9:11 faults[3].wait: must be > 0 (got 0)",
        "drill.yaml:10:13 faults[4].manual.instruction: required: what the person should do, e.g. instruction: pull the cable");

    [Fact]
    public void Parse_BadVerifySteps_AreEachReported() => AssertErrors(
        Steps("faults: [ { wait: 1s } ]\nverify:\n  - alert_received: {}\n  - http: { url: \"http://h/\", expect_status: 600, timeout: 1 }"),
        "drill.yaml:7:21 verify[0].alert_received.within: required: how long after the fault the alert may arrive, e.g. within: 30s",
        "drill.yaml:8:46 verify[1].http.expect_status: must be from 100 to 599 (got 600)",
        "drill.yaml:8:60 verify[1].http.timeout: '1' has no unit; use ms, s, m or h, e.g. 1s");
}
