using Understudy.Core.Drills;
namespace Understudy.Tests.Drills.Loading;

/// <summary>probes: kinds, names, intervals, per-kind keys, the kind planned for later.</summary>
public partial class DrillLoaderTests
{
    /// <summary>A drill whose probes are <paramref name="probes"/>, one per line from line 3, four columns in.</summary>
    private static string WithProbes(params string[] probes) =>
        "name: x\nprobes:\n" + string.Join("\n", probes.Select(p => "  - " + p)) + "\nfaults: [ { wait: 1s } ]";

    [Fact]
    public void Parse_NoProbes_SaysOneIsNeeded() => AssertErrors(
        "name: x\nprobes: []\nfaults: [ { wait: 1s } ]",
        "drill.yaml:2:9 probes: at least one probe is required: a drill measures what its probes see");

    [Fact]
    public void Parse_IntervalBelowMinimum_NamesTheMinimum() => AssertErrors(
        WithProbes("{ name: web, http: { url: \"http://127.0.0.1:9000/\", interval: 5ms } }"),
        "drill.yaml:3:67 probes[0].http.interval: must be ≥ 10ms (got 5ms)");

    [Fact]
    public void Parse_DuplicateProbeName_NamesTheFirstLine() => AssertErrors(
        WithProbes("{ name: web, tcp: { address: 127.0.0.1:9000 } }", "{ name: web, tcp: { address: 127.0.0.1:9001 } }"),
        "drill.yaml:4:13 probes[1].name: duplicate probe name 'web' (first at line 3)");

    [Fact]
    public void Parse_TwoKindsInOneProbe_PointsAtTheSecond() => AssertErrors(
        WithProbes("{ name: web, http: { url: \"http://127.0.0.1:9000/\" }, tcp: { address: 127.0.0.1:9000 } }"),
        "drill.yaml:3:59 probes[0].tcp: one kind per probe: this one is already http");

    [Fact]
    public void Parse_ProbeWithoutKind_ListsTheKinds() => AssertErrors(
        WithProbes("{ name: web }"),
        "drill.yaml:3:5 probes[0]: expected one kind of probe (http, tcp, http_write, sql_write, redis_write, redis, sql) with its settings, e.g. http: { url: \"http://127.0.0.1:9000/\" }");

    [Fact]
    public void Parse_SqlWriteProbeWithBadKeys_SaysWhatItTakes() => AssertErrors(
        WithProbes("{ name: orders, sql_write: { dsn: \"postgres://db\", table: \"Orders; drop\" } }"),
        "drill.yaml:3:32 probes[0].sql_write.connection: required: an Npgsql connection string such as \"Host=127.0.0.1;Port=6432;Username=postgres;Database=postgres\"",
        "drill.yaml:3:34 probes[0].sql_write.dsn: unknown key (accepted: connection, table, interval, timeout, keepalive, max_in_flight)",
        "drill.yaml:3:63 probes[0].sql_write.table: expected a plain lowercase table name ([a-z_][a-z0-9_]*), got 'Orders; drop'");

    [Fact]
    public void Parse_SqlWriteProbe_KeepsTheConnectionAndShowsItWithoutThePassword()
    {
        var spec = AssertValid(WithProbes("{ name: orders, sql_write: { connection: \"Host=127.0.0.1;Port=6432;Username=app;Password=s3cret;Database=shop\", interval: 10ms } }"));

        ProbeSpec p = spec.Probes[0];
        Assert.Equal((ProbeKind.SqlWrite, "understudy_probe", TimeSpan.FromMilliseconds(10)), (p.Kind, p.Table, p.Interval));
        Assert.Contains("Password=s3cret", p.Target);
        Assert.Equal("Host=127.0.0.1;Port=6432;Username=app;Database=shop table understudy_probe", p.Shown);
    }

    [Fact]
    public void Parse_KeyOfAnotherKind_SaysWhichKindItBelongsTo() => AssertErrors(
        WithProbes("{ name: port, tcp: { address: 127.0.0.1:9000, keepalive: true, url: \"http://x/\" } }",
            "{ name: w, http_write: { url: \"http://127.0.0.1:9000/w\", expect_status: 201 } }"),
        "drill.yaml:3:51 probes[0].tcp.keepalive: only for http probes",
        "drill.yaml:3:68 probes[0].tcp.url: tcp probes take address (host:port), not url",
        "drill.yaml:4:62 probes[1].http_write.expect_status: only for http probes");

    [Fact]
    public void Parse_RelativeUrl_AsksForAnAbsoluteOne() => AssertErrors(
        WithProbes("{ name: web, http: { url: /health } }"),
        "drill.yaml:3:31 probes[0].http.url: expected an absolute http or https URL such as http://127.0.0.1:9000/, got '/health'");

    [Fact]
    public void Parse_BadProbeValues_AreEachReported() => AssertErrors(
        WithProbes("{ name: Web, http: { url: \"http://h/\", expect_status: 99, timeout: 0, keepalive: yes, max_in_flight: 0 } }",
            "{ name: port, tcp: { address: localhost } }",
            "{ name: w, http_write: { read_url: \"http://h/\" } }"),
        "drill.yaml:3:13 probes[0].name: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'Web')",
        "drill.yaml:3:59 probes[0].http.expect_status: must be from 100 to 599 (got 99)",
        "drill.yaml:3:72 probes[0].http.timeout: must be > 0 (got 0)",
        "drill.yaml:3:86 probes[0].http.keepalive: expected true or false, got 'yes'",
        "drill.yaml:3:106 probes[0].http.max_in_flight: must be ≥ 1 (got 0)",
        "drill.yaml:4:35 probes[1].tcp.address: expected host:port (e.g. 127.0.0.1:8080), got 'localhost'",
        "drill.yaml:5:28 probes[2].http_write.url: required: an absolute http or https URL such as http://127.0.0.1:9000/");
}
