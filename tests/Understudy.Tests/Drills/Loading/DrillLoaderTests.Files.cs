using Understudy.Core.Drills;
using Understudy.Drills;

namespace Understudy.Tests.Drills.Loading;

/// <summary>Whole files: many errors at once, reading from disk, the examples that ship with Understudy.</summary>
public partial class DrillLoaderTests
{
    [Fact]
    public void Parse_ManyErrors_AreAllReportedInOnePassInFileOrder() => AssertErrors("""
        name: ""
        environment: chaos
        controller: localhost:7400
        targets: { rto: 5, availability: 0, rto_tolerance: lots }
        probes:
          - { name: web, http: { url: "http://127.0.0.1:9000/", interval: 1ms, keepalive: maybe } }
          - { name: web, tcp: { address: "127.0.0.1:0" } }
          - { name: db, sql_write: { dsn: x } }
        steady_state: { duration: -1s, max_error_rate: 200% }
        faults:
          - kill_process: { pidfile: run/a.pid, member: web-a, signal: TERMINATE }
          - proxy: { member: web-a, fault: latency, duration: 5s }
          - alert_received: { within: 5s }
          - exec: []
        recovery: { timeout: 5s, stable_for: 5s }
        verify:
          - proxy: { member: web-a, fault: reset, duration: 1s }
        rollback:
          - wait: soon
        stop_conditions: { max_outage: 0, abort_on: errors }
        """,
        "drill.yaml:1:7 name: expected the drill's name, got an empty value",
        "drill.yaml:2:14 environment: expected one of staging, production, got 'chaos'",
        "drill.yaml:3:1 controller: controller needs service: the report links to one service's journal",
        "drill.yaml:3:13 controller: expected an absolute http or https URL such as http://127.0.0.1:7400, got 'localhost:7400'",
        "drill.yaml:4:17 targets.rto: '5' has no unit; use ms, s, m or h, e.g. 5s",
        "drill.yaml:4:34 targets.availability: must be > 0% and ≤ 100% (got 0)",
        "drill.yaml:4:52 targets.rto_tolerance: expected a percentage such as 20%, got 'lots'",
        "drill.yaml:6:67 probes[0].http.interval: must be ≥ 10ms (got 1ms)",
        "drill.yaml:6:83 probes[0].http.keepalive: expected true or false, got 'maybe'",
        "drill.yaml:7:13 probes[1].name: duplicate probe name 'web' (first at line 6)",
        "drill.yaml:7:34 probes[1].tcp.address: port must be a number from 1 to 65535, got '0'",
        "drill.yaml:8:28 probes[2].sql_write.connection: required: an Npgsql connection string such as \"Host=127.0.0.1;Port=6432;Username=postgres;Database=postgres\"",
        "drill.yaml:8:30 probes[2].sql_write.dsn: unknown key (accepted: connection, table, interval, timeout, keepalive, max_in_flight)",
        "drill.yaml:9:27 steady_state.duration: a duration cannot be negative (got '-1s'); use ms, s, m or h",
        "drill.yaml:9:48 steady_state.max_error_rate: must be from 0 to 1 (or 0% to 100%), got 200%",
        "drill.yaml:11:41 faults[0].kill_process.member: only one of pid, pidfile, member (pidfile is already set)",
        "drill.yaml:11:64 faults[0].kill_process.signal: expected a signal: one of KILL, TERM, INT, STOP, CONT, HUP, QUIT, USR1, USR2 "
        + "(SIG prefix and lower case also accepted), got 'TERMINATE'",
        "drill.yaml:12:12 faults[1].proxy.latency: required: the delay added, e.g. latency: 200ms",
        "drill.yaml:13:5 faults[2].alert_received: allowed only in verify (steps allowed in faults: kill_process, proxy, network, exec, wait, manual)",
        "drill.yaml:14:11 faults[3].exec: expected a command as a sequence of strings, e.g. [systemctl, restart, web], got an empty sequence",
        "drill.yaml:15:38 recovery.stable_for: must be shorter than timeout (5s), got 5s",
        "drill.yaml:17:5 verify[0].proxy: allowed only in faults and rollback (steps allowed in verify: alert_received, http, exec, manual, wait)",
        "drill.yaml:19:11 rollback[0].wait: expected a duration such as 200ms, 5s, 2m or 1h, got 'soon'",
        "drill.yaml:20:32 stop_conditions.max_outage: must be > 0 (got 0)",
        "drill.yaml:20:35 stop_conditions.abort_on: unknown key (accepted: max_outage, max_error_rate, max_p99, command)");

    [Fact]
    public void Parse_RelativeFileName_IsPlacedInTheBaseDirectory() =>
        Assert.Equal(Path.Combine(Folder, "sub", "d.yaml"),
            DrillLoader.Parse(Minimal, Path.Combine("sub", "d.yaml"), Folder).Spec!.SourcePath);

    [Fact]
    public void Load_MissingFile_OneErrorNamingThePathAsGiven()
    {
        string path = Path.Combine("no-such-folder", "drill.yaml");
        DrillResult result = DrillLoader.Load(path);
        Assert.Equal([$"{path}:0:0 : no such file (looked for {Path.GetFullPath(path)})"], result.Errors.Select(e => e.ToString()));
        Assert.False(result.Ok);
    }

    [Fact]
    public void Load_Folder_AsksForAFile()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-drill-").FullName;
        try
        {
            Assert.Equal([$"{folder}:0:0 : this is a folder; expected a YAML file such as {Path.Combine(folder, "drill.yaml")}"],
                DrillLoader.Load(folder).Errors.Select(e => e.ToString()));
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void Load_FileOnDisk_KeepsItsTextAndPathAndResolvesPidfilesAgainstItsFolder()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-drill-").FullName;
        try
        {
            string path = Path.Combine(folder, "crash.yaml");
            string text = "name: x\nprobes: [ { name: p, tcp: { address: 127.0.0.1:9000 } } ]\nfaults: [ { kill_process: { pidfile: run/a.pid } } ]\n";
            File.WriteAllText(path, text);
            DrillSpec spec = DrillLoader.Load(path).Spec!;
            Assert.Equal((text, path), (spec.SourceText, spec.SourcePath));
            Assert.Equal(new KillProcess(ProcessTarget.PidFile, Path.Combine(folder, "run", "a.pid")), spec.Faults[0]);

            File.WriteAllText(path, text + "bogus: 1\n");
            Assert.Equal([$"{path}:4:1 bogus: unknown key (accepted: name, description, environment, service, controller, targets, probes, "
                + "steady_state, faults, recovery, verify, rollback, stop_conditions, load)"], DrillLoader.Load(path).Errors.Select(e => e.ToString()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static TheoryData<string> ExampleDrills() => new(ExampleFiles());

    private static string[] ExampleFiles() =>
        [.. Directory.GetFiles(ExamplesFolder(), "*.yaml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(ExampleDrills))]
    public void Load_EveryExampleDrill_IsValid(string file)
    {
        DrillResult result = DrillLoader.Load(Path.Combine(ExamplesFolder(), file));
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.True(result.Ok);
    }

    [Fact]
    public void Load_ExampleFolder_HasTheThreeDocumentedDrills() =>
        Assert.Equal(["random-member-killer.yaml", "rolling-restart.yaml", "web-primary-crash.yaml"],
            ExampleFiles());

    [Fact]
    public void Load_LadderExamples_FourStepsOfOrdersDbEachValid()
    {
        string ladder = Path.Combine(ExamplesFolder(), "ladder");
        string[] files = [.. Directory.GetFiles(ladder, "*.yaml").Order(StringComparer.Ordinal)];

        Assert.Equal(["01-single-member.yaml", "02-member-and-lagging-replica.yaml", "03-network-partition.yaml", "04-whole-site.yaml"], files.Select(Path.GetFileName));
        foreach (string file in files)
        {
            DrillResult result = DrillLoader.Load(file);
            Assert.Empty(result.Errors.Select(e => e.ToString()));
            Assert.Equal("orders-db", result.Spec!.Service);
        }
    }

    [Fact]
    public void Load_PostgresCrashExample_WritesThroughTheProxyAndKillsByPidfile()
    {
        DrillResult result = DrillLoader.Load(Path.Combine(ExamplesFolder(), "..", "postgres", "crash-drill.yaml"));

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.Equal(ProbeKind.SqlWrite, result.Spec!.Probes[0].Kind);
        Assert.Equal(ProcessTarget.PidFile, ((KillProcess)result.Spec.Faults[0]).By);
    }

    [Fact]
    public void Load_RedisCrashExample_WritesAndPingsThroughTheProxyAndKillsByPidfile()
    {
        DrillResult result = DrillLoader.Load(Path.Combine(ExamplesFolder(), "..", "redis", "drill-redis-crash.yaml"));

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.Equal([(ProbeKind.RedisWrite, "127.0.0.1:6390"), (ProbeKind.Redis, "127.0.0.1:6390")], result.Spec!.Probes.Select(p => (p.Kind, p.Target)));
        var kill = (KillProcess)result.Spec.Faults[0];
        Assert.Equal((ProcessTarget.PidFile, Path.Combine("examples", "redis", "run", "r1.pid")), (kill.By, Path.GetRelativePath(Path.GetFullPath(Path.Combine(ExamplesFolder(), "..", "..")), kill.Value)));
        Assert.Equal(("cache", 50), (result.Spec.Service, result.Spec.Targets.Rpo!.Writes));
    }

    [Fact]
    public void Load_WebPrimaryCrashExample_KillsWebAByMember()
    {
        DrillSpec spec = DrillLoader.Load(Path.Combine(ExamplesFolder(), "web-primary-crash.yaml")).Spec!;
        Assert.Equal([new KillProcess(ProcessTarget.Member, "web-a", "KILL")], spec.Faults.AsEnumerable());
        Assert.Equal([ProbeKind.Http, ProbeKind.HttpWrite], spec.Probes.Select(p => p.Kind));
        Assert.Equal(TimeSpan.FromMilliseconds(20), spec.Probes[0].Interval);
    }

    private static string ExamplesFolder()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        return Path.Combine(root, "examples", "drills");
    }
}
