using System.Text.Json;
using Understudy.Incidents;
using static Understudy.Tests.Incidents.SiteJournals;

namespace Understudy.Tests.Incidents;

public sealed class SiteIncidentReportTests
{
    private static SiteIncident Of(List<Core.Journal.JournalEvent> events) => SiteIncidentTimeline.Find(Op, events)!;

    [Fact]
    public void Render_Completed_TitleSaysWhoAndWhen()
    {
        string md = SiteIncidentReport.Render(Of(Completed()));

        Assert.StartsWith("# Site failover s-1 of east — ✅ completed\n\n- **When**: 2026-11-22, 12:00:00.000 → 12:01:01.500 UTC (61.5 s)\n"
            + "- **Requested by**: **alice**; **approvals needed**: 1; **approved by**: **bob**\n- **Services**: db, api\n", md);
    }

    [Fact]
    public void Render_Completed_PhasesServicesAndEveryEvent()
    {
        string md = SiteIncidentReport.Render(Of(Completed()));

        Assert.Contains("| detect (site.requested) | 12:00:00.000 | 0 ms | +0 ms |", md);
        Assert.Contains("| approve (site.approved) | 12:01:00.000 | 60000 ms | +60000 ms |", md);
        Assert.Contains("| verify (site.completed) | 12:01:01.500 | 237 ms | +61500 ms |", md);
        Assert.Contains("| roll back | — | — | — |", md);
        Assert.Contains("| 1 | db | db-a → db-b | switchover | r-db | +60004 ms | +60254 ms | ✅ +60401 ms | 250 ms | — |", md);
        Assert.Contains("| 2 | api | api-a → api-b | switchover | r-api | +61003 ms | +61253 ms | ✅ +61400 ms | 250 ms | — |", md);
        Assert.Contains("| 12:01:00.254 | +60254 ms | db | traffic.switched | db-b | 2 | alice | traffic.switched of db |", md);
        Assert.Contains("| site.approved |", md);
    }

    [Fact]
    public void Render_RolledBack_SaysSoPerServiceAndWhereItStopped()
    {
        string md = SiteIncidentReport.Render(Of(RolledBack()));

        Assert.StartsWith("# Site failover s-1 of east — ❌ failed, rolled back\n", md);
        Assert.Contains("| 1 | db | db-a → db-b | switchover | r-db | +60004 ms | +60254 ms | ✅ +60401 ms | 250 ms | ✅ back on db-a (r-db-back) |", md);
        Assert.Contains("| 3 | web | web-a → web-b | switchover | r-web | — | — | ❌ stopped here | — | — |", md);
        Assert.Contains("| roll back (site.rolled_back) | 12:01:03.100 |", md);
        Assert.Contains("| change.vetoed |", md);
    }

    [Fact]
    public void Render_UnderWay_SaysItIsNotOver()
    {
        string md = SiteIncidentReport.Render(Of(UnderWay()));

        Assert.StartsWith("# Site failover s-1 of east — ⚠️ under way\n", md);
        Assert.Contains("**The site failover is still under way**", md);
    }

    [Fact]
    public void Write_RolledBack_JsonHasTheOutcomePhasesAndServices()
    {
        using var doc = JsonDocument.Parse(SiteIncidentJson.Write(Of(RolledBack())));
        JsonElement root = doc.RootElement;

        Assert.Equal(1, root.GetProperty("schema_version").GetInt32());
        Assert.Equal(("s-1", "east", "failed", true), (root.GetProperty("operation").GetString(), root.GetProperty("site").GetString(),
            root.GetProperty("outcome").GetString(), root.GetProperty("fully_rolled_back").GetBoolean()));
        Assert.Equal("2026-11-22T12:00:00.000Z", root.GetProperty("requested_at").GetString());
        Assert.Equal(63_100, root.GetProperty("duration_ms").GetDouble());
        Assert.Equal(["detect", "validate", "approve", "execute", "verify", "roll back"],
            root.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        JsonElement db = root.GetProperty("services")[0];
        Assert.Equal(250, db.GetProperty("outage_ms").GetDouble());
        Assert.Equal("2026-11-22T12:01:00.401Z", db.GetProperty("verified_at").GetString());
        Assert.True(db.GetProperty("rolled_back").GetProperty("succeeded").GetBoolean());
        Assert.Equal("r-db-back", db.GetProperty("rolled_back").GetProperty("request").GetString());
        Assert.True(root.GetProperty("services")[2].GetProperty("stopped_here").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("services")[2].GetProperty("rolled_back").ValueKind);
        Assert.Contains(root.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "change.vetoed" && e.GetProperty("service").GetString() == "web");
    }

    [Fact]
    public void Write_Completed_FullyRolledBackIsNull()
    {
        using var doc = JsonDocument.Parse(SiteIncidentJson.Write(Of(Completed())));

        Assert.Equal("completed", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("fully_rolled_back").ValueKind);
        Assert.Equal(["bob"], doc.RootElement.GetProperty("approved_by").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public void Html_RolledBack_OneLanePerServiceAndThePhasesAsMarkers()
    {
        string html = SiteIncidentHtml.Render(Of(RolledBack()));

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>Site failover s-1 of east (failed)</title>", html);
        Assert.Contains("<body class=\"verdict-failed\">", html);
        Assert.Contains("<svg id=\"timeline\"", html);
        foreach (string service in new[] { "db", "api", "web" }) Assert.Contains($"data-service=\"{service}\"", html);
        foreach (string phase in new[] { "approve", "execute", "roll" }) Assert.Contains($"data-marker=\"{phase}\"", html);
        Assert.Equal(2, html.Split("class=\"rollback\"").Length - 1);
        Assert.Contains("class=\"stopped\"", html);
        Assert.Contains("<td>❌ stopped here</td>", html);
    }
}
