using System.Text.Json;
using Understudy.Api;
using Understudy.Cli;
using Understudy.Core.Journal;
using Understudy.Incidents;
using Understudy.Journal;
using Understudy.Tests.Testing;
using static Understudy.Tests.Incidents.IncidentJournals;

namespace Understudy.Tests.Incidents;

public sealed class IncidentCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("understudy-incident-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Config => Path.Combine(_root, "understudy.yaml");

    /// <summary>A config whose journal holds the automatic failover to epoch 2, or the given events.</summary>
    private async Task WriteConfigAndJournalAsync(List<JournalEvent>? events = null)
    {
        await File.WriteAllTextAsync(Config, """
            controller: { journal: understudy.db }
            services:
              web:
                kind: http
                members:
                  - { name: web-a, address: 127.0.0.1:8081 }
                  - { name: web-b, address: 127.0.0.1:8082 }
                primary: web-a
                traffic: { proxy: { listen: 127.0.0.1:9000 } }
            """);
        await using var journal = await SqliteJournal.OpenAsync(Path.Combine(_root, "understudy.db"));
        await journal.AppendAsync(events ?? AutomaticFailover());
    }

    private static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CommandRun.RunAsync(IncidentCommand.Create(), args);

    [Fact]
    public async Task Incident_FromTheJournal_PrintsTheReportWithHookDetails()
    {
        await WriteConfigAndJournalAsync();

        var (exit, stdout, stderr) = await Run("web", "--epoch", "2", "-c", Config);

        Assert.Equal("", stderr);
        Assert.Equal(CliApp.Ok, exit);
        Assert.StartsWith("# Incident: failover of web, epoch 2 — ✅ completed\n", stdout);
        Assert.Contains("| 12:00:05.200 | on_failover | 2 | notify.sh web-a | 3 | 5020 ms | ❌ |", stdout);
    }

    [Fact]
    public async Task Incident_OutputFile_WritesItAndPrintsItsPath()
    {
        await WriteConfigAndJournalAsync();
        string file = Path.Combine(_root, "incident.md");

        var (exit, stdout, _) = await Run("web", "--epoch", "2", "-c", Config, "-o", file);

        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal(file, stdout.Trim());
        Assert.StartsWith("# Incident: failover of web, epoch 2", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Incident_UnknownEpoch_ExitsTwoListingTheEpochs()
    {
        await WriteConfigAndJournalAsync();

        var (exit, stdout, stderr) = await Run("web", "--epoch", "5", "-c", Config);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Equal("understudy incident: web has no failover or switchover that created epoch 5; epochs created by one: 2 (failover)", stderr.Trim());
    }

    [Fact]
    public async Task Incident_UnwritableOutput_ExitsOneWithOneLine()
    {
        await WriteConfigAndJournalAsync();

        var (exit, _, stderr) = await Run("web", "--epoch", "2", "-c", Config, "-o", Path.Combine(_root, "no-such-folder", "incident.md"));

        Assert.Equal(CliApp.Failed, exit);
        Assert.StartsWith("understudy incident: cannot write ", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Incident_NoJournalYet_ExitsOneWithOneLine()
    {
        await WriteConfigAndJournalAsync();
        File.Delete(Path.Combine(_root, "understudy.db"));

        var (exit, _, stderr) = await Run("web", "--epoch", "2", "-c", Config);

        Assert.Equal(CliApp.Failed, exit);
        Assert.StartsWith("understudy incident: no journal at ", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    /// <summary>Events read through the API carry JSON details; turned back into journal values they make the same report.</summary>
    [Fact]
    public void ToJournalEvent_EventsThroughTheApi_RenderAsFromTheJournal()
    {
        var events = AutomaticFailover();
        string json = JsonSerializer.Serialize(new EventsPage([.. events.Select(EventView.From)], null), ApiJson.Options);

        var read = JsonSerializer.Deserialize<EventsPage>(json, ApiJson.Options)!.Events.Select(ServiceEvents.ToJournalEvent).ToList();

        Assert.Equal(5_020L, read[9].Details["duration_ms"]);
        Assert.Equal(false, read[9].Details["timed_out"]);
        Assert.Equal(IncidentReport.Render(IncidentTimeline.Find("web", 2, events)!), IncidentReport.Render(IncidentTimeline.Find("web", 2, read)!));
    }

    [Theory]
    [InlineData(new[] { "web", "--epoch", "two", "-c", "x.yaml" }, "understudy incident: --epoch: expected the epoch a failover created (a whole number from 1), got 'two'")]
    [InlineData(new[] { "web", "-c", "x.yaml" }, "understudy incident: --epoch: expected the epoch a failover created (a whole number from 1), got none")]
    [InlineData(new[] { "web", "--epoch", "2", "--api", "127.0.0.1:7400" }, "understudy incident: --api: expected a URL such as http://127.0.0.1:7400, got '127.0.0.1:7400'")]
    public async Task Incident_BadInput_ExitsTwo(string[] args, string message)
    {
        var (exit, _, stderr) = await Run(args);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal(message, stderr.Trim());
    }

    [Fact]
    public async Task Incident_SiteOperationFromTheJournal_PrintsTheSiteReport()
    {
        await WriteConfigAndJournalAsync(SiteJournals.RolledBack());

        var (exit, stdout, stderr) = await Run("--site-operation", SiteJournals.Op, "-c", Config);

        Assert.Equal("", stderr);
        Assert.Equal(CliApp.Ok, exit);
        Assert.StartsWith("# Site failover s-1 of east — ❌ failed, rolled back\n", stdout);
        Assert.Contains("| 2 | api | api-a → api-b | switchover | r-api |", stdout);
    }

    [Theory]
    [InlineData("html", "<!DOCTYPE html>")]
    [InlineData("json", "{\n  \"schema_version\": 1,\n  \"operation\": \"s-1\",")]
    public async Task Incident_SiteOperationFormat_WritesThatForm(string format, string start)
    {
        await WriteConfigAndJournalAsync(SiteJournals.RolledBack());
        string file = Path.Combine(_root, "report." + format);

        var (exit, stdout, _) = await Run("--site-operation", SiteJournals.Op, "-c", Config, "--format", format, "-o", file);

        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal(file, stdout.Trim());
        Assert.StartsWith(start, await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Incident_UnknownSiteOperation_ExitsTwoListingRecentOnes()
    {
        await WriteConfigAndJournalAsync(SiteJournals.RolledBack());

        var (exit, stdout, stderr) = await Run("--site-operation", "s-9", "-c", Config);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Equal("understudy incident: no site operation 's-9' in the journal; recent ones: s-1 (east, requested 2026-11-22 12:00:00Z)", stderr.Trim());
    }

    [Theory]
    [InlineData("give SERVICE --epoch N for one service's failover or switchover, or --site-operation ID for a site failover (exactly one of the two)")]
    [InlineData("give SERVICE --epoch N for one service's failover or switchover, or --site-operation ID for a site failover (exactly one of the two)", "web", "--epoch", "2", "--site-operation", "s-1")]
    [InlineData("--epoch: goes with SERVICE, not with --site-operation", "--site-operation", "s-1", "--epoch", "2")]
    [InlineData("--format: expected md, html or json, got 'pdf'", "--site-operation", "s-1", "--format", "pdf")]
    [InlineData("--format: a service's incident report is Markdown (md); html and json are for --site-operation", "web", "--epoch", "2", "--format", "html")]
    public async Task Incident_WrongCombination_ExitsTwoNamingTheOption(string message, params string[] args)
    {
        var (exit, stdout, stderr) = await Run([.. args, "-c", Config]);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"understudy incident: {message}", stderr.Trim());
    }
}
