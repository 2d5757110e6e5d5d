using System.CommandLine;
using System.Text.Json;
using Understudy.Api;
using Understudy.Cli;
using Understudy.Incidents;
using Understudy.Journal;
using static Understudy.Tests.Incidents.IncidentJournals;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Incidents;

public sealed class IncidentCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("understudy-incident-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Config => Path.Combine(_root, "understudy.yaml");

    /// <summary>A config whose journal holds the automatic failover to epoch 2.</summary>
    private async Task WriteConfigAndJournalAsync()
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
        await journal.AppendAsync(AutomaticFailover());
    }

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var root = new RootCommand { IncidentCommand.Create() };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await root.Parse(["incident", .. args]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

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
}
