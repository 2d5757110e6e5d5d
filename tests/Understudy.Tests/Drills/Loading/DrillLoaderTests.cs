using System.Collections.Immutable;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Drills;

namespace Understudy.Tests.Drills.Loading;

/// <summary>Valid drills and their specs. Bad drills: DrillLoaderTests.*.cs, each error pinned whole.</summary>
public partial class DrillLoaderTests
{
    private const string FileName = "drill.yaml";
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "understudy-drills");

    /// <summary>The smallest valid drill, four lines; a test adds top-level keys from line 5 on.</summary>
    private const string Minimal = """
        name: smallest
        probes: [ { name: web, http: { url: "http://127.0.0.1:9000/" } } ]
        faults:
          - wait: 1s
        """;

    /// <summary>Minimal with a controller and service, so steps that need one are allowed: lines 1–6, add from 7.</summary>
    private const string Linked = Minimal + "\nservice: web\ncontroller: http://127.0.0.1:7400";

    private static DrillResult Parse(string yaml, Dictionary<string, string>? environment = null) =>
        DrillLoader.Parse(yaml, FileName, Folder, name => environment?.GetValueOrDefault(name));

    private static void AssertErrors(string yaml, params string[] expected)
    {
        DrillResult result = Parse(yaml);
        Assert.False(result.Ok);
        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    private static DrillSpec AssertValid(string yaml, Dictionary<string, string>? environment = null)
    {
        DrillResult result = Parse(yaml, environment);
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.True(result.Ok);
        return result.Spec!;
    }

    private const string Full = """
        name: web primary crash
        description: kill web-a and watch
        environment: production
        service: web
        controller: http://127.0.0.1:7400
        targets:
          rto: 5s
          recovery: 4s
          rpo: 0
          availability: 99.5%
          rto_tolerance: 25%
        probes:
          - { name: web, http: { url: "http://127.0.0.1:9000/", expect_status: 204, interval: 20ms, timeout: 500ms, keepalive: true, max_in_flight: 50 } }
          - { name: port, tcp: { address: 127.0.0.1:9000, interval: 50ms, timeout: 250ms } }
          - { name: writes, http_write: { url: "http://127.0.0.1:9000/writes", read_url: "http://127.0.0.1:9001/writes", interval: 10ms, timeout: 1s } }
        steady_state: { duration: 0, max_error_rate: 1% }
        faults:
          - kill_process: { pidfile: run/web-a.pid, signal: sigterm }
          - wait: 2s
          - exec: [fly, machine, stop, x]
          - exec: { command: [./slow.sh, "--all"], timeout: 30s }
          - proxy: { member: web-a, fault: blackhole, duration: 10s }
          - proxy: { member: web-b, fault: latency, latency: 200ms, jitter: 50ms, duration: 1m }
          - manual: { instruction: pull the cable, timeout: 5m }
          - kill_process: { member: web-b }
          - kill_process: { pid: 4242, signal: SIGSTOP }
        recovery: { timeout: 90s, stable_for: 2s }
        verify:
          - alert_received: { within: 30s }
          - http: { url: "http://127.0.0.1:9000/health", expect_status: 201, expect_body: ok, timeout: 2s }
          - http: { url: "https://example.test/" }
          - manual: { instruction: check the dashboard }
        rollback:
          - exec: [./start-web-a.sh]
          - proxy: { member: web-a, fault: reset, duration: 1s }
          - wait: 500ms
        stop_conditions: { max_outage: 120s }
        """;

    [Fact]
    public void Parse_EveryKeySet_RoundTripsIntoSpec()
    {
        DrillSpec spec = AssertValid(Full);

        Assert.Equal(("web primary crash", "kill web-a and watch", DrillEnvironment.Production, "web"),
            (spec.Name, spec.Description, spec.Environment, spec.Service));
        Assert.Equal(new Uri("http://127.0.0.1:7400"), spec.Controller);
        Assert.Equal(new DrillTargets(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4), new RpoTarget(0, null), 99.5, 0.25), spec.Targets);
        Assert.Equal([
            new ProbeSpec("web", ProbeKind.Http, "http://127.0.0.1:9000/", TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(500), 204, true, null, 50),
            new ProbeSpec("port", ProbeKind.Tcp, "127.0.0.1:9000", TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250)),
            new ProbeSpec("writes", ProbeKind.HttpWrite, "http://127.0.0.1:9000/writes", TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1),
                ReadUrl: "http://127.0.0.1:9001/writes"),
        ], spec.Probes.AsEnumerable());
        Assert.Equal(new SteadyStateSpec(TimeSpan.Zero, 0.01), spec.SteadyState);

        // ExecStep holds an ImmutableArray, which compares by reference: commands are compared on their own.
        Assert.Equal(9, spec.Faults.Length);
        Assert.Equal(new KillProcess(ProcessTarget.PidFile, Path.Combine(Folder, "run", "web-a.pid"), "TERM"), spec.Faults[0]);
        Assert.Equal(new WaitStep(TimeSpan.FromSeconds(2)), spec.Faults[1]);
        AssertExec(spec.Faults[2], ["fly", "machine", "stop", "x"], TimeSpan.FromSeconds(60));
        AssertExec(spec.Faults[3], ["./slow.sh", "--all"], TimeSpan.FromSeconds(30));
        Assert.Equal(new ProxyFault("web-a", ProxyFaultKind.Blackhole, TimeSpan.FromSeconds(10)), spec.Faults[4]);
        Assert.Equal(new ProxyFault("web-b", ProxyFaultKind.Latency, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50)),
            spec.Faults[5]);
        Assert.Equal(new ManualStep("pull the cable", TimeSpan.FromMinutes(5)), spec.Faults[6]);
        Assert.Equal(new KillProcess(ProcessTarget.Member, "web-b"), spec.Faults[7]);
        Assert.Equal(new KillProcess(ProcessTarget.Pid, "4242", "STOP"), spec.Faults[8]);

        Assert.Equal(new RecoverySpec(TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(2)), spec.Recovery);
        Assert.Equal([
            new AlertReceived(TimeSpan.FromSeconds(30)),
            new HttpCheckStep("http://127.0.0.1:9000/health", 201, "ok", TimeSpan.FromSeconds(2)),
            new HttpCheckStep("https://example.test/", 200, null, TimeSpan.FromSeconds(5)),
            new ManualStep("check the dashboard", TimeSpan.FromMinutes(10)),
        ], spec.Verify.AsEnumerable());

        Assert.Equal(3, spec.Rollback.Length);
        AssertExec(spec.Rollback[0], ["./start-web-a.sh"], TimeSpan.FromSeconds(60));
        Assert.Equal(new ProxyFault("web-a", ProxyFaultKind.Reset, TimeSpan.FromSeconds(1)), spec.Rollback[1]);
        Assert.Equal(new WaitStep(TimeSpan.FromMilliseconds(500)), spec.Rollback[2]);

        Assert.Equal(new StopConditions(TimeSpan.FromSeconds(120)), spec.StopConditions);
        Assert.Equal(Full, spec.SourceText);
        Assert.Equal(Path.Combine(Folder, FileName), spec.SourcePath);
    }

    [Fact]
    public void Parse_SmallestDrill_FillsEveryDefault()
    {
        DrillSpec spec = AssertValid(Minimal);

        Assert.Equal(("smallest", null, DrillEnvironment.Staging, null, null),
            (spec.Name, spec.Description, spec.Environment, spec.Service, spec.Controller));
        Assert.Equal(DrillTargets.None, spec.Targets);
        ProbeSpec probe = Assert.Single(spec.Probes);
        Assert.Equal(new ProbeSpec("web", ProbeKind.Http, "http://127.0.0.1:9000/", ProbeDefaults.Interval, ProbeDefaults.Timeout,
            ExpectStatus: 200, KeepAlive: false, ReadUrl: null, MaxInFlight: ProbeDefaults.MaxInFlight), probe);
        Assert.Equal(SteadyStateSpec.Default, spec.SteadyState);
        Assert.Equal([new WaitStep(TimeSpan.FromSeconds(1))], spec.Faults.AsEnumerable());
        Assert.Equal(RecoverySpec.Default, spec.Recovery);
        Assert.Empty(spec.Verify);
        Assert.Empty(spec.Rollback);
        Assert.Equal(StopConditions.None, spec.StopConditions);
    }

    [Fact]
    public void Parse_EmptySectionsAndLists_MeanDefaultsAndNone()
    {
        DrillSpec spec = AssertValid(Minimal + "\ntargets:\nsteady_state: {}\nrecovery:\nverify:\nrollback: []\nstop_conditions: {}");
        Assert.Equal(DrillTargets.None, spec.Targets);
        Assert.Equal(SteadyStateSpec.Default, spec.SteadyState);
        Assert.Equal(RecoverySpec.Default, spec.Recovery);
        Assert.Empty(spec.Verify);
        Assert.Empty(spec.Rollback);
        Assert.Equal(StopConditions.None, spec.StopConditions);
    }

    [Theory]
    [InlineData("targets: { rto_tolerance: 20 }", 0.2)]
    [InlineData("targets: { rto_tolerance: \"0%\" }", 0.0)]
    [InlineData("targets: { rto_tolerance: 150% }", 1.5)]
    public void Parse_RtoTolerance_IsAPercentStoredAsAFraction(string line, double fraction) =>
        Assert.Equal(fraction, AssertValid(Minimal + "\n" + line).Targets.RtoTolerance, precision: 9);

    [Theory]
    [InlineData("99.9", 99.9)]
    [InlineData("\"99.9%\"", 99.9)]
    [InlineData("100", 100.0)]
    public void Parse_Availability_IsAPercentWithOrWithoutTheSign(string written, double pct) =>
        Assert.Equal(pct, AssertValid(Minimal + $"\ntargets: {{ availability: {written} }}").Targets.AvailabilityPct);

    [Theory]
    [InlineData("0.05", 0.05)]
    [InlineData("5%", 0.05)]
    [InlineData("1", 1.0)]
    public void Parse_MaxErrorRate_IsAFractionOrAPercent(string written, double fraction) =>
        Assert.Equal(fraction, AssertValid(Minimal + $"\nsteady_state: {{ max_error_rate: {written} }}").SteadyState.MaxErrorRate, precision: 9);

    [Fact]
    public void Parse_RpoAsDuration_IsAWindow() =>
        Assert.Equal(new RpoTarget(null, TimeSpan.FromMilliseconds(1500)), AssertValid(Minimal + "\ntargets: { rpo: 1.5s }").Targets.Rpo);

    [Theory]
    [InlineData("KILL", "KILL")]
    [InlineData("kill", "KILL")]
    [InlineData("SIGKILL", "KILL")]
    [InlineData("sigusr1", "USR1")]
    [InlineData("HUP", "HUP")]
    public void Parse_Signal_IsStoredUpperCaseWithoutSig(string written, string stored)
    {
        DrillSpec spec = AssertValid($"name: x\nprobes: [ {{ name: p, tcp: {{ address: 127.0.0.1:1 }} }} ]\nfaults: [ {{ kill_process: {{ pid: 7, signal: {written} }} }} ]");
        Assert.Equal(new KillProcess(ProcessTarget.Pid, "7", stored), spec.Faults[0]);
    }

    [Fact]
    public void Parse_AbsolutePidfile_IsKeptAndCommandsAreNotResolved()
    {
        string pidfile = Path.Combine(Path.GetTempPath(), "elsewhere", "a.pid");
        DrillSpec spec = AssertValid($"name: x\nprobes: [ {{ name: p, tcp: {{ address: \"[::1]:9000\" }} }} ]\n" +
            $"faults: [ {{ kill_process: {{ pidfile: {pidfile} }} }}, {{ exec: [./relative.sh, run/a.pid] }} ]");
        Assert.Equal(new KillProcess(ProcessTarget.PidFile, pidfile), spec.Faults[0]);
        AssertExec(spec.Faults[1], ["./relative.sh", "run/a.pid"], TimeSpan.FromSeconds(60));
        Assert.Equal("[::1]:9000", spec.Probes[0].Target);
    }

    [Fact]
    public void Parse_EnvironmentReferences_AreExpanded()
    {
        DrillSpec spec = AssertValid("""
            name: "drill on ${SITE}"
            controller: "${CONTROLLER}"
            service: web
            probes: [ { name: web, http: { url: "http://${HOST}:9000/" } } ]
            faults: [ { exec: [notify, "--token=${TOKEN}"] } ]
            """, new() { ["SITE"] = "eu-1", ["CONTROLLER"] = "https://ctl.internal:7400", ["HOST"] = "127.0.0.5", ["TOKEN"] = "s3cret" });
        Assert.Equal("drill on eu-1", spec.Name);
        Assert.Equal(new Uri("https://ctl.internal:7400"), spec.Controller);
        Assert.Equal("http://127.0.0.5:9000/", spec.Probes[0].Target);
        AssertExec(spec.Faults[0], ["notify", "--token=s3cret"], TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Parse_ServiceWithoutController_IsFineAndLinksNothing()
    {
        DrillSpec spec = AssertValid(Minimal + "\nservice: web");
        Assert.Equal(("web", null), (spec.Service, spec.Controller));
    }

    private static void AssertExec(DrillStep step, string[] command, TimeSpan timeout)
    {
        ExecStep exec = Assert.IsType<ExecStep>(step);
        Assert.Equal(command, exec.Command.AsEnumerable());
        Assert.Equal(timeout, exec.Timeout);
    }
}
