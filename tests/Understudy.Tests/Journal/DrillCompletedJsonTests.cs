using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Tests.Journal;

/// <summary>drill.completed carries report.json's figures under report.json's names, and journals written before them still read.</summary>
public class DrillCompletedJsonTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Write_WithFigures_StoresThemUnderReportJsonNamesAndReadsBackEqual()
    {
        var drill = new DrillCompleted("crash", "failed", 1200, "/r/report.md", 4200, 3, 93.08) { Time = T0, Service = "web", Actor = "operator", Reason = "drill 'crash' failed" };

        string json = EventJson.Write(drill);

        Assert.Contains("\"recovery_time_ms\":4200", json);
        Assert.Contains("\"lost_acknowledged_writes\":3", json);
        Assert.Contains("\"availability_pct\":93.08", json);
        Assert.Equal(drill, EventJson.Read(json));
    }

    [Fact]
    public void FromRow_StoredBeforeTheFigures_ReadsWithTheFiguresNull()
    {
        const string stored = """{"v":1,"reason":"drill 'crash' passed (RTO 420 ms)","name":"crash","verdict":"passed","rto_ms":420,"report":"/r/report.md"}""";

        var drill = Assert.IsType<DrillCompleted>(EventJson.FromRow(7, T0, "web", null, 1, EventTypes.DrillCompleted, "operator", stored));

        Assert.Equal(("crash", "passed", 420.0, "/r/report.md"), (drill.Name, drill.Verdict, drill.RtoMs, drill.Report));
        Assert.Equal((null, null, null), (drill.RecoveryTimeMs, drill.LostAcknowledgedWrites, drill.AvailabilityPct));
    }

    [Fact]
    public void Write_WithoutAWriteProbe_LeavesLostWritesOutRatherThanZero()
    {
        string json = EventJson.Write(new DrillCompleted("crash", "passed", 0, null, 800, null, 100) { Time = T0, Service = "web" });

        Assert.DoesNotContain("lost_acknowledged_writes", json);
        Assert.Contains("\"availability_pct\":100", json);
    }
}
