using Understudy.Core.Drills;
using Understudy.Drills;
using Understudy.Drills.Import;
using Understudy.Tests.Fuzz;

namespace Understudy.Tests.Drills.Import;

/// <summary>A realistic experiment (web-experiment.json) converted, and the result loaded by the drill loader.</summary>
public sealed class ChaosToolkitImportTests
{
    private const string ExperimentName = "web-experiment.json";
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "understudy-import");
    private static readonly string Experiment = File.ReadAllText(Path.Combine(FuzzSeeds.Root, "tests", "Understudy.Tests", "Drills", "Import", ExperimentName));

    // What the converted drill reads from the environment when it runs.
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["SETTLE_SECONDS"] = "3", ["HOME"] = "/home/ops", ["WEB_API_TOKEN"] = "t0k3n", ["token"] = "unused",
    };

    private static DrillSpec Load(ImportResult result)
    {
        Assert.True(result.Ok, result.Error);
        DrillResult loaded = DrillLoader.Parse(result.Yaml!, "drill.yaml", Folder, name => Environment.GetValueOrDefault(name));
        Assert.Empty(loaded.Errors.Select(e => e.ToString()));
        return loaded.Spec!;
    }

    [Fact]
    public void SteadyStateHttpProbes_BecomeProbesWithTheirStatusAndTimeout_AndVerifyStepsAfterRecovery()
    {
        DrillSpec spec = Load(ChaosToolkitImport.Convert(Experiment, ExperimentName));

        Assert.Equal("The web tier survives losing its primary", spec.Name);
        Assert.Equal("Kill web-a; the storefront keeps answering through the proxy.", spec.Description);
        Assert.Equal(
            [("storefront-answers", "http://127.0.0.1:9000/", 200, TimeSpan.FromSeconds(2)), ("health-endpoint", "http://127.0.0.1:9000/health", 200, TimeSpan.FromSeconds(3.5))],
            spec.Probes.Select(p => (p.Name, p.Target, p.ExpectStatus, p.Timeout)));
        Assert.Equal(SteadyStateSpec.Default, spec.SteadyState);
        Assert.Equal<DrillStep>(
            [new HttpCheckStep("http://127.0.0.1:9000/", 200, null, TimeSpan.FromSeconds(2)), new HttpCheckStep("http://127.0.0.1:9000/health", 200, null, TimeSpan.FromSeconds(3.5))],
            spec.Verify);
    }

    [Fact]
    public void MethodActions_BecomeKillProcessExecAndWaitSteps_InOrder()
    {
        DrillSpec spec = Load(ChaosToolkitImport.Convert(Experiment, ExperimentName));

        Assert.Equal(
        [
            new KillProcess(ProcessTarget.Pid, "4242", "KILL"),
            new WaitStep(TimeSpan.FromSeconds(3)),
            new KillProcess(ProcessTarget.PidFile, Path.Combine(Folder, "run", "web-b.pid"), "TERM"),
            new ExecStep(["pkill", "-f", "web-worker"], TimeSpan.FromSeconds(60)),
            new WaitStep(TimeSpan.FromSeconds(1.5)),
            new ExecStep(["/home/ops/bin/flush-cache", "--token", "t0k3n", "--all"], TimeSpan.FromSeconds(30)),
        ], spec.Faults, StepComparer);
    }

    [Fact]
    public void Rollbacks_BecomeRollbackSteps_WithReferencesFollowed()
    {
        DrillSpec spec = Load(ChaosToolkitImport.Convert(Experiment, ExperimentName));

        Assert.Equal(
        [
            new ExecStep(["systemctl", "restart", "web-a"], TimeSpan.FromSeconds(120)),
            new WaitStep(TimeSpan.FromSeconds(1.5)),
            new ExecStep(["/home/ops/bin/flush-cache", "--token", "t0k3n", "--all"], TimeSpan.FromSeconds(30)),
        ], spec.Rollback, StepComparer);
    }

    [Fact]
    public void EverythingNotConverted_IsNamedByItsJsonPath_InTheNotesAndAtTheTopOfTheFile()
    {
        ImportResult result = ChaosToolkitImport.Convert(Experiment, ExperimentName);

        string[] expected =
        [
            "configuration.settle (env SETTLE_SECONDS): default \"3\" not kept: a drill's ${SETTLE_SECONDS} has no default, so SETTLE_SECONDS must be set when the drill runs",
            "secrets.k8s.token: not converted: a drill reads secrets from the environment only, not from vault; written as the environment variable ${token}, to be set when the drill runs",
            "steady-state-hypothesis.probes[1].tolerance: a drill's http probe expects one status: kept 200, so 204 now count as failures",
            "steady-state-hypothesis.probes[2] (http GET ${base_url}/): not converted: tolerance { \"type\": \"regex\", \"pattern\": \"shop\", \"target\": \"body\" }: a drill's http probe checks one status code (100-599), not bodies, ranges or other probes",
            "steady-state-hypothesis.probes[3] (python chaosk8s.pod.probes.pods_in_phase): not converted: a drill's probes are http, tcp, SQL and Redis clients; only http providers are converted",
            "method[1] (process kill): pidfile run/web-b.pid is read relative to the drill file's folder, not the folder chaos ran in",
            "method[2] (python chaosk8s.pod.actions.terminate_pods): not converted: a drill cannot run Chaos Toolkit's Python extensions; an exec step running a CLI that does the same can replace it",
            "method[3] (process pkill): kept as exec: it names no single pid or pidfile, so kill_process cannot stand for it",
            "method[3] (process pkill): runs in the foreground: a drill's steps run one after another",
            "method[5] (http GET ${base_url}/metrics): not converted: a probe in the method only records what it sees; the drill's probes measure throughout",
            "method[6] (http POST ${base_url}/admin/feature): not converted: a drill has no http step in faults or rollback; an exec step (curl) can replace it",
            "rollbacks[2] (python chaosk8s.deployment.actions.scale_deployment): not converted: a drill cannot run Chaos Toolkit's Python extensions; an exec step running a CLI that does the same can replace it",
            "controls: not converted: a drill has no control hooks",
        ];
        Assert.Equal(expected, result.Notes.Select(n => n.ToString()));
        string[] header = [.. result.Yaml!.Split('\n').TakeWhile(l => l.StartsWith('#'))];
        Assert.Equal("# Not converted, or converted differently (13):", header[2]);
        Assert.Equal(expected.Select(n => $"#   {n}"), header[3..]);
    }

    [Fact]
    public void BadJson_NamesTheFileLineAndPosition()
    {
        ImportResult result = ChaosToolkitImport.Convert("{\n  \"title\": \"x\",\n  \"method\": [\n  }\n", "broken.json");

        Assert.False(result.Ok);
        Assert.Equal("broken.json:4:3 invalid JSON: '}' is an invalid start of a value.", result.Error);
    }

    [Theory]
    [InlineData("[1, 2]", "broken.json: not a Chaos Toolkit experiment: expected a JSON object with title, steady-state-hypothesis and method")]
    [InlineData("""{ "title": "t", "method": [ { "type": "action", "provider": { "type": "process", "path": "true" } } ] }""",
        "broken.json: nothing runnable to write: no steady-state probe could be converted (a drill needs at least one http probe)")]
    [InlineData("""
        { "title": "t",
          "steady-state-hypothesis": { "probes": [ { "type": "probe", "tolerance": 200, "provider": { "type": "http", "url": "http://127.0.0.1:1/" } } ] },
          "method": [ { "type": "action", "provider": { "type": "python", "module": "chaosaws.ec2.actions", "func": "stop_instance" }, "pauses": { "after": 5 } } ] }
        """, "broken.json: nothing runnable to write: no method action could be converted (a drill needs at least one fault)")]
    public void NothingRunnable_IsAnErrorAndNoFile(string json, string error)
    {
        ImportResult result = ChaosToolkitImport.Convert(json, "broken.json");

        Assert.Null(result.Yaml);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void ProbeUrlNotAbsoluteHttp_IsNotConverted()
    {
        ImportResult result = ChaosToolkitImport.Convert("""
            { "title": "t",
              "steady-state-hypothesis": { "probes": [ { "type": "probe", "name": "web", "tolerance": 200, "provider": { "type": "http", "url": "localhost:8080/health" } } ] },
              "method": [ { "type": "action", "provider": { "type": "process", "path": "true" } } ] }
            """, "e.json");

        Assert.Equal(
            ["steady-state-hypothesis.probes[0] (http GET localhost:8080/health): not converted: url localhost:8080/health is not an absolute http or https URL"],
            result.Notes.Select(n => n.ToString()));
        Assert.Equal("e.json: nothing runnable to write: no steady-state probe could be converted (a drill needs at least one http probe)", result.Error);
    }

    // ExecStep holds an ImmutableArray, which records compare by reference: steps are compared as reports describe them, plus exec timeouts.
    private static readonly IEqualityComparer<DrillStep> StepComparer = EqualityComparer<DrillStep>.Create(
        (a, b) => a!.Describe() == b!.Describe() && (a as ExecStep)?.Timeout == (b as ExecStep)?.Timeout,
        s => s.Describe().GetHashCode(StringComparison.Ordinal));
}
