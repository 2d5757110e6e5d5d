using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>Top-level <c>drills:</c>: schedules whose drill files are loaded and matched when the config is.</summary>
public sealed class DrillScheduleConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("understudy-drills-").FullName;

    public DrillScheduleConfigTests()
    {
        Drill("web.yaml", "");
        Drill("prod.yaml", "environment: production");
        Drill("manual.yaml", "", fault: "manual: { instruction: pull the plug }");
        Drill("kill.yaml", "", fault: "kill_process: { member: web-a }");
        File.WriteAllText(Path.Combine(_folder, "unlinked.yaml"), "name: loose\nprobes:\n  - { name: web, http: { url: \"http://127.0.0.1:9000/\" } }\nfaults:\n  - wait: 1s\n");
        Drill("other.yaml", "", service: "cache");
        File.WriteAllText(Path.Combine(_folder, "broken.yaml"), "name: broken\nprobes: []\nfaults:\n  - wait: 1s\n");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Drill(string file, string header, string fault = "exec: [sh, -c, \"exit 0\"]", string service = "web") =>
        File.WriteAllText(Path.Combine(_folder, file), $$"""
            name: web crash
            {{header}}
            service: {{service}}
            controller: http://127.0.0.1:7400
            probes:
              - { name: web, http: { url: "http://127.0.0.1:9000/" } }
            faults:
              - {{fault}}
            """);

    /// <summary>A one-service config; <paramref name="drills"/> from line 8 on (line 1 is <paramref name="controller"/>).</summary>
    private ConfigResult Parse(string drills, string controller = "") => ConfigLoader.Parse($"""
        {controller}
        services:
          web:
            kind: http
            members: [ {"{"} name: web-a, address: 127.0.0.1:8081, pidfile: a.pid {"}"}, {"{"} name: web-b, address: 127.0.0.1:8082 {"}"} ]
            primary: web-a
        drills:
        {drills}
        """, "understudy.yaml", _folder, _ => null);

    private void AssertErrors(string drills, params string[] expected)
    {
        ConfigResult result = Parse(drills);
        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_Schedule_ReadsEveryKeyAndTheDrillFilesNameAndService()
    {
        ConfigResult result = Parse("""
              - { file: web.yaml, cron: "0 3 * * MON", timezone: Europe/Berlin, environment: staging, jitter: 30m }
              - { file: web.yaml, cron: "*/10 * * * * *", environment: staging }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                new DrillScheduleSpec(Path.Combine(_folder, "web.yaml"), "0 3 * * MON", "Europe/Berlin", DrillEnvironment.Staging, TimeSpan.FromMinutes(30), "web crash", "web"),
                new DrillScheduleSpec(Path.Combine(_folder, "web.yaml"), "*/10 * * * * *", "UTC", DrillEnvironment.Staging, TimeSpan.Zero, "web crash", "web"),
            ],
            result.Spec!.DrillSchedules.AsEnumerable());
    }

    [Fact]
    public void Parse_NoDrills_IsAnEmptyList() => Assert.Empty(Parse("").Spec!.DrillSchedules);

    [Fact]
    public void Parse_EnvironmentNotTheDrillFiles_NamesBoth() => AssertErrors(
        "  - { file: prod.yaml, cron: \"0 3 * * *\", environment: staging }",
        $"understudy.yaml:8:56 drills[0].environment: staging does not match the drill file's environment (production in {Path.Combine(_folder, "prod.yaml")})");

    [Fact]
    public void Parse_Production_AcceptedItsApprovalIsCheckedBeforeEachRun()
    {
        ConfigResult result = Parse("  - { file: prod.yaml, cron: \"0 3 * * *\", environment: production }");

        Assert.Empty(result.Errors);
        Assert.Equal(DrillEnvironment.Production, result.Spec!.DrillSchedules[0].Environment);
    }

    [Fact]
    public void Parse_InvalidDrillFile_QuotesItsFirstError() => AssertErrors(
        "  - { file: broken.yaml, cron: \"0 3 * * *\", environment: staging }",
        $"understudy.yaml:8:13 drills[0].file: not a valid drill file: {Path.Combine(_folder, "broken.yaml")}:2:9 probes: at least one probe is required: a drill measures what its probes see");

    [Fact]
    public void Parse_MissingDrillFile_SaysWhereItLooked() => AssertErrors(
        "  - { file: gone.yaml, cron: \"0 3 * * *\", environment: staging }",
        $"understudy.yaml:8:13 drills[0].file: not a valid drill file: {Path.Combine(_folder, "gone.yaml")}:0:0 : no such file (looked for {Path.Combine(_folder, "gone.yaml")})");

    [Fact]
    public void Parse_DrillFileWithoutControllerAndService_Refused() => AssertErrors(
        "  - { file: unlinked.yaml, cron: \"0 3 * * *\", environment: staging }",
        $"understudy.yaml:8:13 drills[0].file: {Path.Combine(_folder, "unlinked.yaml")} names no controller and service: a scheduled drill needs both, so the controller can check the service before the run, lock it, and journal the verdict");

    [Fact]
    public void Parse_DrillOfAnotherService_NamesTheServices() => AssertErrors(
        "  - { file: other.yaml, cron: \"0 3 * * *\", environment: staging }",
        $"understudy.yaml:8:13 drills[0].file: {Path.Combine(_folder, "other.yaml")} is a drill of service 'cache', which this config does not have (services: web)");

    [Fact]
    public void Parse_ManualStep_NobodyToConfirmIt() => AssertErrors(
        "  - { file: manual.yaml, cron: \"0 3 * * *\", environment: staging }",
        $"understudy.yaml:8:13 drills[0].file: {Path.Combine(_folder, "manual.yaml")} has a manual step: a scheduled drill runs with nobody to confirm it");

    [Fact]
    public void Parse_KillProcessWithSeveralControllers_OnlyStepsThatWorkFromAnyHost()
    {
        ConfigResult result = Parse("  - { file: kill.yaml, cron: \"0 3 * * *\", environment: staging }",
            "controller: { coordination: { etcd: [http://127.0.0.1:2379], cluster: shop } }");

        Assert.Equal(
            [$"understudy.yaml:8:13 drills[0].file: {Path.Combine(_folder, "kill.yaml")} has a kill_process step: with several controllers a scheduled drill runs on whichever instance leads, so only steps that work from any host may be used (proxy, exec)"],
            result.Errors.Select(e => e.ToString()));
        Assert.Empty(Parse("  - { file: kill.yaml, cron: \"0 3 * * *\", environment: staging }").Errors);
    }

    [Fact]
    public void Parse_BadCronZoneAndJitter_EveryErrorInOnePass() => AssertErrors("""
          - { file: web.yaml, cron: "0 3 * *", environment: staging }
          - { file: web.yaml, cron: "0 3 * * FUNDAY", timezone: Mars/Olympus, environment: staging, jitter: -5m }
          - { file: web.yaml, cron: "0 3 * * MON" }
        """,
        "understudy.yaml:8:29 drills[0].cron: '0 3 * *' is not a cron expression: expected 5 fields (minute hour day month weekday), or 6 with seconds first; got 4",
        "understudy.yaml:9:29 drills[1].cron: '0 3 * * FUNDAY' is not a cron expression: The given cron expression has an invalid format. Days of week: Value must be a number between 0 and 7 (all inclusive).",
        "understudy.yaml:9:57 drills[1].timezone: 'Mars/Olympus' is not a time zone this machine knows (an IANA name such as Europe/Berlin, or UTC)",
        "understudy.yaml:9:101 drills[1].jitter: a duration cannot be negative (got '-5m'); use ms, s, m or h",
        "understudy.yaml:10:5 drills[2].environment: required: the drill file's environment, staging or production");

    [Fact]
    public void Parse_NotASequence_SaysWhatIsExpected() => AssertErrors(
        "  web: { file: web.yaml }",
        "understudy.yaml:8:3 drills: expected a sequence of scheduled drills, e.g. [ { file: drills/web.yaml, cron: \"0 3 * * MON\", environment: staging } ], got a mapping");
}
