using System.Net;
using System.Text.Json;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Sites;

// The site incident report of the operations the tests above ran: through the API (md, html, json) and the CLI (--api and -c).
public partial class SiteFailoverTests
{
    private static readonly string[] Phases = ["detect", "validate", "approve", "execute", "verify", "roll back"];

    /// <summary>The report as the API renders it, once it shows <paramref name="ended"/> (the operation's last events are journaled).</summary>
    private static Task<string> ReportAsync(ControllerProcess controller, string id, string format, string ended, int times = 1) =>
        Eventually.GetAsync(async () =>
        {
            HttpResponseMessage response = await controller.Http.GetAsync($"/api/sites/operations/{id}/report?format={format}");
            Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            string text = await response.Content.ReadAsStringAsync();
            return text.Split(ended).Length - 1 >= times ? text : null;
        }, $"the report of {id} up to {ended}");

    private static async Task AssertCompletedReportAsync(TwoSites setup, ControllerProcess controller, string id)
    {
        // site.completed is journaled through each service, one after the other.
        string md = await ReportAsync(controller, id, "md", "| site.completed |", times: Order.Length);
        Assert.StartsWith($"# Site failover {id} of east — ✅ completed\n", md);
        Assert.Contains("**Requested by**: **alice**; **approvals needed**: 1; **approved by**: **bob**", md);
        foreach (string phase in Phases) Assert.Contains($"| {phase}", md);
        for (int n = 0; n < Order.Length; n++)
            Assert.Matches($@"\| {n + 1} \| {Order[n]} \| {Order[n]}-a → {Order[n]}-b \| switchover \| r-[0-9a-f]{{8}} \| \+\d+ ms \| \+\d+ ms \| ✅ \+\d+ ms \| \d+ ms \| — \|", md);
        Assert.Equal(3, md.Split("| switchover.completed |").Length - 1);

        using JsonDocument json = JsonDocument.Parse(await ReportAsync(controller, id, "json", "\"site.completed\""));
        JsonElement root = json.RootElement;
        Assert.Equal((id, "east", "completed", "alice"), (root.GetProperty("operation").GetString(), root.GetProperty("site").GetString(),
            root.GetProperty("outcome").GetString(), root.GetProperty("requested_by").GetString()));
        Assert.Equal(["bob"], root.GetProperty("approved_by").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(Phases, root.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(Order, root.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("service").GetString()));
        // The controller's estimate of each outage: the drain and the switch, well under the time a request may take.
        Assert.All(root.GetProperty("services").EnumerateArray(), s => Assert.InRange(s.GetProperty("outage_ms").GetDouble(), 0, 30_000));

        // The CLI: rendered by the controller (--api), and from the journal file with the controller still running (-c).
        CliRunner.Result viaApi = await setup.CliAsync(AliceToken, "incident", "--site-operation", id, "--format", "html");
        Assert.True(viaApi.ExitCode == 0, viaApi.Err);
        Assert.Contains("<svg id=\"timeline\"", viaApi.Out);
        foreach (string service in Order) Assert.Contains($"data-service=\"{service}\"", viaApi.Out);
        var tokens = new Dictionary<string, string> { ["ALICE_TOKEN"] = AliceToken, ["BOB_TOKEN"] = BobToken };
        CliRunner.Result fromJournal = await CliRunner.RunAsync(tokens, "incident", "--site-operation", id, "-c", setup.Config);
        Assert.True(fromJournal.ExitCode == 0, fromJournal.Err);
        Assert.Equal(md.TrimEnd(), fromJournal.Out.TrimEnd());
    }

    private static async Task AssertRolledBackReportAsync(TwoSites setup, ControllerProcess controller, string id)
    {
        string md = await ReportAsync(controller, id, "md", "❌ failed, rolled back");
        Assert.StartsWith($"# Site failover {id} of east — ❌ failed, rolled back\n", md);
        Assert.Matches(@"\| roll back \(site.rolled_back\) \| \d\d:\d\d:\d\d.\d{3} \|", md);
        Assert.Matches(@"\| 1 \| db \| db-a → db-b \| switchover \| r-[0-9a-f]{8} \|.*\| ✅ back on db-a \(r-[0-9a-f]{8}\) \|", md);
        Assert.Matches(@"\| 2 \| api \| api-a → api-b \| switchover \| r-[0-9a-f]{8} \|.*\| ✅ back on api-a \(r-[0-9a-f]{8}\) \|", md);
        Assert.Matches(@"\| 3 \| web \| web-a → web-b \| switchover \| r-[0-9a-f]{8} \| — \| — \| ❌ stopped here \| — \| — \|", md);
        Assert.Contains("| change.vetoed |", md);
        // Two switchovers out and two back.
        Assert.Equal(4, md.Split("| switchover.completed |").Length - 1);

        string html = await ReportAsync(controller, id, "html", "failed, rolled back");
        Assert.Contains("<svg id=\"timeline\"", html);
        Assert.Contains("data-marker=\"roll\"", html);
        Assert.Equal(2, html.Split("class=\"rollback\"").Length - 1);

        using JsonDocument json = JsonDocument.Parse(await ReportAsync(controller, id, "json", "\"fully_rolled_back\": true"));
        var services = json.RootElement.GetProperty("services").EnumerateArray().ToList();
        Assert.Equal("failed", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(["db-a", "api-a"], services.Take(2).Select(s => s.GetProperty("rolled_back").GetProperty("to").GetString()));
        Assert.True(services[2].GetProperty("stopped_here").GetBoolean());

        CliRunner.Result json2 = await setup.CliAsync(BobToken, "incident", "--site-operation", id, "--format", "json");
        Assert.True(json2.ExitCode == 0, json2.Err);
        Assert.Contains("\"outcome\": \"failed\"", json2.Out);
    }

    [Fact]
    public async Task SiteReport_UnknownOperationOrFormat_404And400NamingThem()
    {
        await using var setup = await TwoSites.StartAsync();
        await using var controller = await setup.StartControllerAsync();

        HttpResponseMessage unknown = await controller.Http.GetAsync("/api/sites/operations/s-00000000/report");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no site operation 's-00000000' in the journal", await unknown.Content.ReadAsStringAsync());
        HttpResponseMessage bad = await controller.Http.GetAsync("/api/sites/operations/s-00000000/report?format=pdf");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("format: expected md, html or json, got 'pdf'", await bad.Content.ReadAsStringAsync());

        CliRunner.Result cli = await setup.CliAsync(AliceToken, "incident", "--site-operation", "s-00000000");
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("404 NotFound: id: no site operation 's-00000000' in the journal; the journal has no site operation", cli.Err);
    }
}
