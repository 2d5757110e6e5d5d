using System.Text.Json;
using Understudy.Api;
using Understudy.Cli;
using Understudy.Core.Journal;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Cli;

public class DrillHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static EventView View(JournalEvent e, long id) => EventView.From(e with { Id = id });

    private static readonly EventView[] Journal =
    [
        View(new DrillCompleted("crash", "passed", 420, "/r/1/report.md", 900, 0, 99.5) { Time = T0, Service = "web" }, 1),
        View(new MemberDown("timeout") { Time = T0.AddMinutes(1), Service = "web", Member = "web-a" }, 2),
        View(new DrillCompleted("dns", "failed") { Time = T0.AddMinutes(2), Service = "" }, 3),
    ];

    [Fact]
    public void Of_JournalOldestFirst_OnlyDrillsNewestFirstWithTheirFigures()
    {
        var rows = DrillHistoryRow.Of(Journal);

        Assert.Equal(["dns", "crash"], rows.Select(r => r.Name));
        Assert.Equal(new DrillHistoryRow(T0, "web", "crash", "passed", 420, 900, 0, 99.5, "/r/1/report.md"), rows[1]);
        Assert.Equal(new DrillHistoryRow(T0.AddMinutes(2), "", "dns", "failed", null, null, null, null, null), rows[0]);
    }

    [Fact]
    public void Of_EventsAsTheApiSendsThem_ReadsTheSameFigures()
    {
        // Through the API the details arrive as JSON elements, not the journal's plain values.
        var sent = JsonSerializer.Deserialize<EventView[]>(JsonSerializer.Serialize(Journal, ApiJson.Options), ApiJson.Options)!;

        Assert.Equal(DrillHistoryRow.Of(Journal), DrillHistoryRow.Of(sent));
    }

    [Fact]
    public void Json_UsesReportJsonNamesAndNullForWhatWasNotMeasured()
    {
        string json = ApiOptions.JsonOf(DrillHistoryRow.Of(Journal));

        Assert.Contains("\"name\":\"crash\",\"verdict\":\"passed\",\"rto_ms\":420,\"recovery_time_ms\":900,\"lost_acknowledged_writes\":0,\"availability_pct\":99.5", json);
        Assert.Contains("\"lost_acknowledged_writes\":null", json);
    }

    [Fact]
    public void Table_UnmeasuredFigures_ShowADashNotZero()
    {
        string text = ConsoleText.Of(DrillHistoryCommand.Table(DrillHistoryRow.Of(Journal)));

        string dns = text.Split('\n').Single(l => l.Contains(" dns ", StringComparison.Ordinal));
        string crash = text.Split('\n').Single(l => l.Contains(" crash ", StringComparison.Ordinal));
        Assert.Matches(@"2026-11-22 12:02:00\s+│\s+│\s+dns\s+│\s+failed\s+│\s+-\s+│\s+-\s+│\s+-\s+│\s+-\s+│", dns);
        Assert.Matches(@"web\s+│\s+crash\s+│\s+passed\s+│\s+420\s+│\s+900\s+│\s+0\s+│\s+99.5\s+│", crash);
    }
}
