namespace Understudy.Tests.Config;

/// <summary>Values: wrong types, ranges, durations, addresses, kinds, placeholders.</summary>
public partial class ConfigLoaderTests
{
    [Fact]
    public void Parse_TextWhereIntegerExpected_QuotesWhatItGot() => AssertErrors(
        Web("check: { fall: abc }"),
        "understudy.yaml:8:20 services.web.check.fall: expected an integer, got 'abc'");

    [Fact]
    public void Parse_MappingWhereDurationExpected_SaysItGotAMapping() => AssertErrors(
        Web("targets: { rto: { seconds: 5 } }"),
        "understudy.yaml:8:21 services.web.targets.rto: expected a duration such as 200ms, 5s, 2m or 1h, got a mapping");

    [Fact]
    public void Parse_ScalarWhereMappingExpected_SaysWhatItGot() => AssertErrors(
        Web("check: fast"),
        "understudy.yaml:8:12 services.web.check: expected a mapping, got 'fast'");

    [Fact]
    public void Parse_SequenceWhereChoiceExpected_ListsTheChoices() => AssertErrors(
        Web("failover: { mode: [automatic] }"),
        "understudy.yaml:8:23 services.web.failover.mode: expected one of automatic, manual, got a sequence");

    [Fact]
    public void Parse_FallZero_MustBeAtLeastOne() => AssertErrors(
        Web("check: { fall: 0 }"),
        "understudy.yaml:8:20 services.web.check.fall: must be ≥ 1 (got 0)");

    [Fact]
    public void Parse_ExpectStatusOutOfRange_GivesTheRange() => AssertErrors(
        Web("check: { expect_status: 700 }"),
        "understudy.yaml:8:29 services.web.check.expect_status: must be from 100 to 599 (got 700)");

    [Fact]
    public void Parse_TimeoutNotBelowInterval_NamesTheInterval() => AssertErrors(
        Web("check: { interval: 500ms, timeout: 500ms }"),
        "understudy.yaml:8:40 services.web.check.timeout: must be shorter than interval (500ms), got 500ms");

    [Fact]
    public void Parse_TimeoutAboveDefaultInterval_SaysTheIntervalIsTheDefault() => AssertErrors(
        Web("check: { timeout: 2s }"),
        "understudy.yaml:8:23 services.web.check.timeout: must be shorter than interval (1s, the default), got 2s");

    [Fact]
    public void Parse_ZeroInterval_MustBePositive() => AssertErrors(
        Web("check: { interval: 0 }"),
        "understudy.yaml:8:24 services.web.check.interval: must be > 0 (got 0)");

    [Fact]
    public void Parse_DurationWithUnknownUnit_NamesTheAcceptedUnits() => AssertErrors(
        Web("check: { interval: 5sec }"),
        "understudy.yaml:8:24 services.web.check.interval: unknown unit 'sec' in '5sec'; use ms, s, m or h");

    [Fact]
    public void Parse_DurationWithoutUnit_AsksForOne() => AssertErrors(
        Web("failover: { cooldown: 30 }"),
        "understudy.yaml:8:27 services.web.failover.cooldown: '30' has no unit; use ms, s, m or h, e.g. 30s");

    [Fact]
    public void Parse_NegativeCooldown_IsRefused() => AssertErrors(
        Web("failover: { cooldown: -5s }"),
        "understudy.yaml:8:27 services.web.failover.cooldown: a duration cannot be negative (got '-5s'); use ms, s, m or h");

    [Fact]
    public void Parse_AddressWithoutPort_ShowsTheExpectedShape() => AssertErrors(
        Base.Replace("address: 127.0.0.1:8081", "address: localhost"),
        "understudy.yaml:5:33 services.web.members[0].address: expected host:port (e.g. 127.0.0.1:8080), got 'localhost'");

    [Fact]
    public void Parse_PortOutOfRange_GivesTheRange() => AssertErrors(
        Base.Replace("127.0.0.1:8082", "127.0.0.1:70000"),
        "understudy.yaml:6:33 services.web.members[1].address: port must be a number from 1 to 65535, got '70000'");

    [Fact]
    public void Parse_UnknownKind_ListsTheKinds() => AssertErrors(
        Base.Replace("kind: http", "kind: mysql"),
        "understudy.yaml:3:11 services.web.kind: expected one of http, tcp, postgres, redis, got 'mysql'");

    [Fact]
    public void Parse_HttpCheckKeysOnTcpService_AreOnlyForHttp() => AssertErrors(
        Base.Replace("kind: http", "kind: tcp") + "\n    check: { path: /health, expect_body: ok }",
        "understudy.yaml:8:14 services.web.check.path: only for kind http (this service is tcp)",
        "understudy.yaml:8:29 services.web.check.expect_body: only for kind http (this service is tcp)");

    [Fact]
    public void Parse_CheckPathWithoutSlash_MustStartWithSlash() => AssertErrors(
        Web("check: { path: health }"),
        "understudy.yaml:8:20 services.web.check.path: must start with '/', got 'health'");

    [Fact]
    public void Parse_PostgresJournalUrl_AsksForSqlitePath() => AssertErrors(
        "controller:\n  journal: postgres://db.internal/understudy\n" + Base,
        "understudy.yaml:2:12 controller.journal: a shared PostgreSQL journal is not supported yet; use a SQLite file path");

    [Fact]
    public void Parse_EmptyDrillsDir_AsksForAFolder() => AssertErrors(
        "controller:\n  drills_dir: \"\"\n" + Base,
        "understudy.yaml:2:15 controller.drills_dir: expected a folder path, got an empty value");

    [Fact]
    public void Parse_UnknownPlaceholder_ListsTheAllowedOnes() => AssertErrors(
        Web("hooks:\n  on_failover:\n    - exec: [restart, \"{{primary}}\"]"),
        "understudy.yaml:10:27 services.web.hooks.on_failover[0].exec[1]: unknown placeholder '{{primary}}' (allowed: {{service}}, {{old_primary}}, {{new_primary}}, {{epoch}}, {{new_primary_address}}, {{new_primary_host}}, {{new_primary_port}}, {{old_primary_address}})");

    [Fact]
    public void Parse_ExecAsOneString_AsksForASequence() => AssertErrors(
        Web("hooks: { on_switchover: [ { exec: systemctl restart web } ] }"),
        "understudy.yaml:8:39 services.web.hooks.on_switchover[0].exec: expected a command as a sequence of strings, e.g. [systemctl, restart, web], got 'systemctl restart web'");

    [Fact]
    public void Parse_EmptyExec_AsksForACommand() => AssertErrors(
        Web("hooks: { on_failover: [ { exec: [], timeout: 0 } ] }"),
        "understudy.yaml:8:37 services.web.hooks.on_failover[0].exec: expected a command as a sequence of strings, e.g. [systemctl, restart, web], got an empty sequence",
        "understudy.yaml:8:50 services.web.hooks.on_failover[0].timeout: must be > 0 (got 0)");

    [Fact]
    public void Parse_RpoNeitherCountNorDuration_SaysBothForms() => AssertErrors(
        Web("targets: { rto: 5s, rpo: some }"),
        "understudy.yaml:8:30 services.web.targets.rpo: expected a count of lost writes (0, 1, …) or a duration such as 5s, got 'some'");

    [Fact]
    public void Parse_NegativeRpo_MustBeAtLeastZero() => AssertErrors(
        Web("targets: { rpo: -1 }"),
        "understudy.yaml:8:21 services.web.targets.rpo: must be ≥ 0 (got -1)");
}
