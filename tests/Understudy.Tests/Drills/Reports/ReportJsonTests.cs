using System.Text.Json;
using Understudy.Core.Drills;
using Understudy.Drills.Reports;
using static Understudy.Tests.Drills.Reports.ReportFixture;

namespace Understudy.Tests.Drills.Reports;

public class ReportJsonTests
{
    private static JsonElement Root(DrillReport r) => JsonDocument.Parse(ReportJson.Write(r)).RootElement;

    [Fact]
    public void Write_TopLevel_HasEveryDocumentedFieldWithItsType()
    {
        JsonElement root = Root(Report());

        var expected = new Dictionary<string, JsonValueKind>
        {
            ["schema_version"] = JsonValueKind.Number, ["name"] = JsonValueKind.String, ["description"] = JsonValueKind.String,
            ["verdict"] = JsonValueKind.String, ["abort_reason"] = JsonValueKind.Null, ["rto_ms"] = JsonValueKind.Number,
            ["recovery_time_ms"] = JsonValueKind.Number, ["availability_pct"] = JsonValueKind.Number,
            ["lost_acknowledged_writes"] = JsonValueKind.Number, ["environment"] = JsonValueKind.String, ["service"] = JsonValueKind.String,
            ["controller"] = JsonValueKind.String, ["started_at"] = JsonValueKind.String, ["ended_at"] = JsonValueKind.String,
            ["fault_at"] = JsonValueKind.String, ["recovered_at"] = JsonValueKind.String, ["targets"] = JsonValueKind.Object,
            ["theoretical_rto"] = JsonValueKind.Object, ["criteria"] = JsonValueKind.Array, ["probes"] = JsonValueKind.Array,
            ["steps"] = JsonValueKind.Array, ["phases"] = JsonValueKind.Array, ["events"] = JsonValueKind.Array,
            ["configuration"] = JsonValueKind.Array, ["issues"] = JsonValueKind.Array, ["drill_file"] = JsonValueKind.String,
            ["first_broken"] = JsonValueKind.Null,
        };
        Assert.Equal(expected.Keys.Order(), root.EnumerateObject().Select(p => p.Name).Order());
        foreach ((string name, JsonValueKind kind) in expected) Assert.True(kind == root.GetProperty(name).ValueKind, $"{name}: {root.GetProperty(name).ValueKind}");
        Assert.Equal(1, root.GetProperty("schema_version").GetInt32());
        Assert.Equal("failed", root.GetProperty("verdict").GetString());
        Assert.Equal(4205.5, root.GetProperty("rto_ms").GetDouble());
        Assert.Equal(3, root.GetProperty("lost_acknowledged_writes").GetInt32());
    }

    [Fact]
    public void Write_NestedObjects_HaveStableNames()
    {
        JsonElement root = Root(Report());

        Assert.Equal(["name", "passed", "detail"], Names(root.GetProperty("criteria")[0]));
        Assert.Equal(["rto_ms", "recovery_ms", "rpo_writes", "rpo_window_ms", "availability_pct", "rto_tolerance_pct"], Names(root.GetProperty("targets")));
        Assert.Equal(["ms", "formula"], Names(root.GetProperty("theoretical_rto")));
        Assert.Equal(["phase", "step", "expected", "actual", "start", "end", "ok"], Names(root.GetProperty("steps")[0]));
        Assert.Equal(["name", "at", "duration_ms", "since_fault_ms"], Names(root.GetProperty("phases")[0]));
        Assert.Equal(["time", "type", "member", "epoch", "actor", "reason"], Names(root.GetProperty("events")[0]));
        Assert.Equal(["key", "value"], Names(root.GetProperty("configuration")[0]));
        Assert.Equal("http://127.0.0.1:9000/", root.GetProperty("configuration")[1].GetProperty("value").GetString());
    }

    [Fact]
    public void Write_Probes_CarryMeasurementsLatencyAndWrites()
    {
        JsonElement probes = Root(Report()).GetProperty("probes");

        JsonElement web = probes[0], writer = probes[1];
        Assert.Equal(["name", "kind", "target", "attempts", "failed", "errors_by_kind", "availability_pct", "rto_ms", "recovery_time_ms",
            "first_failure_at", "recovered_at", "unexpected_errors", "latency", "lost_acknowledged_writes", "writes", "dns_tail"], Names(web));
        Assert.Equal(JsonValueKind.Null, web.GetProperty("dns_tail").ValueKind);
        Assert.Equal(22, web.GetProperty("errors_by_kind").GetProperty("timeout").GetInt32());
        Assert.Equal(["before", "during", "after"], Names(web.GetProperty("latency")));
        Assert.Equal(["count", "p50_ms", "p95_ms", "p99_ms"], Names(web.GetProperty("latency").GetProperty("before")));
        Assert.Equal(2.5, web.GetProperty("latency").GetProperty("before").GetProperty("p95_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, web.GetProperty("lost_acknowledged_writes").ValueKind);
        Assert.Equal(JsonValueKind.Null, web.GetProperty("writes").ValueKind);
        Assert.Equal(JsonValueKind.Null, writer.GetProperty("latency").GetProperty("during").GetProperty("p50_ms").ValueKind);
        Assert.Equal(3, writer.GetProperty("lost_acknowledged_writes").GetInt32());
        JsonElement writes = writer.GetProperty("writes");
        Assert.Equal(["acknowledged", "read_back", "lost", "first_lost_ack_at", "last_lost_ack_at", "window_ms"], Names(writes));
        Assert.Equal(150, writes.GetProperty("window_ms").GetDouble());
    }

    [Fact]
    public void Write_ProbeWithAResolver_HasItsDnsTail()
    {
        JsonElement tail = Root(ReportWithDnsTail()).GetProperty("probes")[2].GetProperty("dns_tail");

        Assert.Equal(["resolver", "old_address", "from", "from_at", "last_old_address_at", "dns_tail_ms", "attempts_to_old_address_after_switch"], Names(tail));
        Assert.Equal("127.0.0.1:5353", tail.GetProperty("resolver").GetString());
        Assert.Equal("127.0.0.1", tail.GetProperty("old_address").GetString());
        Assert.Equal("traffic.switched", tail.GetProperty("from").GetString());
        Assert.Equal("2026-11-22T12:00:11.845Z", tail.GetProperty("from_at").GetString());
        Assert.Equal("2026-11-22T12:00:15.045Z", tail.GetProperty("last_old_address_at").GetString());
        Assert.Equal(3200, tail.GetProperty("dns_tail_ms").GetDouble());
        Assert.Equal(156, tail.GetProperty("attempts_to_old_address_after_switch").GetInt32());
    }

    [Fact]
    public void ReadOfWrite_DnsTail_Survives()
    {
        DrillReport report = ReportWithDnsTail();

        ReportAssert.Equal(report, ReportJson.Read(ReportJson.Write(report)));
    }

    [Fact]
    public void Read_ReportWrittenBeforeTheDnsTail_ReadsWithoutOne()
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(ReportJson.Write(Report()))!;
        foreach (var probe in doc["probes"]!.AsArray()) probe!.AsObject().Remove("dns_tail");

        DrillReport back = ReportJson.Read(doc.ToJsonString());

        ReportAssert.Equal(Report(), back);
    }

    [Fact]
    public void ReadOfWrite_LoadAndWhatBrokeFirst_Survive()
    {
        DrillReport report = ReportWithLoad();

        JsonElement root = Root(report);
        DrillReport back = ReportJson.Read(ReportJson.Write(report));

        Assert.Equal(("refused", 100.0), (root.GetProperty("first_broken").GetProperty("kind").GetString(), root.GetProperty("first_broken").GetProperty("after_fault_ms").GetDouble()));
        Assert.Equal(150, root.GetProperty("load")[0].GetProperty("windows")[1].GetProperty("throughput_per_s").GetDouble());
        ReportAssert.Equal(report, back);
        Assert.Equal(report.FirstBroken, back.FirstBroken);
        Assert.Equal(report.Load.Select(l => (l.Name, l.Source, l.Outcome, l.Output, l.FirstFailure)), back.Load.Select(l => (l.Name, l.Source, l.Outcome, l.Output, l.FirstFailure)));
        Assert.Equal(report.Load.SelectMany(l => l.Windows), back.Load.SelectMany(l => l.Windows));
        Assert.False(Root(Report()).TryGetProperty("load", out _), "a drill without load has no load field");
    }

    [Fact]
    public void Write_Times_AreIsoUtcWithMilliseconds()
    {
        DrillReport r = Report() with { StartedAt = new DateTimeOffset(2026, 11, 22, 14, 0, 0, TimeSpan.FromHours(2)) };

        JsonElement root = Root(r);

        Assert.Equal("2026-11-22T12:00:00.000Z", root.GetProperty("started_at").GetString());
        Assert.Equal("2026-11-22T12:00:14.200Z", root.GetProperty("recovered_at").GetString());
    }

    [Fact]
    public void ReadOfWrite_EqualsTheReport()
    {
        DrillReport report = Report();

        DrillReport back = ReportJson.Read(ReportJson.Write(report));

        ReportAssert.Equal(report, back);
    }

    [Fact]
    public void ReadOfWrite_AbortedReportWithNulls_EqualsTheReport()
    {
        DrillReport report = Report() with
        {
            Verdict = Verdict.Aborted, AbortReason = "max_outage 120 s exceeded", FaultAt = null, RecoveredAt = null, RtoMs = null,
            RecoveryTimeMs = null, LostAcknowledgedWrites = null, Theoretical = null, Description = null, Service = null, Controller = null,
            Targets = new ReportTargets(null, null, null, null, null, 20), Phases = [], Events = [], Issues = [],
        };

        DrillReport back = ReportJson.Read(ReportJson.Write(report));

        ReportAssert.Equal(report, back);
        Assert.Equal("aborted", Root(report).GetProperty("verdict").GetString());
    }

    [Fact]
    public void Read_WrongType_NamesTheFilePathAndLine()
    {
        string json = ReportJson.Write(Report()).Replace("\"attempts\": 600", "\"attempts\": \"many\"");

        var e = Assert.Throws<ReportException>(() => ReportJson.Read(json, "run/report.json"));

        Assert.StartsWith("run/report.json: ", e.Message);
        Assert.Contains("$.probes[0].attempts", e.Message);
        Assert.Matches(@"line \d+", e.Message);
    }

    [Fact]
    public void Read_MissingRequiredField_SaysWhich()
    {
        string json = ReportJson.Write(Report()).Replace("\"drill_file\":", "\"drill_file_old\":");

        var e = Assert.Throws<ReportException>(() => ReportJson.Read(json));

        Assert.Contains("drill_file", e.Message);
    }

    [Theory]
    [InlineData("{ \"schema_version\": 1, ", "not valid JSON at line 1")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{ \"name\": \"x\" }", "no schema_version")]
    [InlineData("{ \"schema_version\": 2 }", "schema_version 2 is newer")]
    public void Read_NotAReport_SaysWhy(string json, string expected)
    {
        var e = Assert.Throws<ReportException>(() => ReportJson.Read(json));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Read_NullListElement_NamesIt()
    {
        string json = ReportJson.Write(Report() with { Issues = [] }).Replace("\"issues\": []", "\"issues\": [null]");

        var e = Assert.Throws<ReportException>(() => ReportJson.Read(json));

        Assert.Contains("$.issues[0] is null", e.Message);
    }

    private static List<string> Names(JsonElement e) => [.. e.EnumerateObject().Select(p => p.Name)];
}
