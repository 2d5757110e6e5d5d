using Understudy.Core.Drills;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Drills;

/// <summary>Seed 004, test 5: failover under load; the report shows the load before, during and after, and what broke first.</summary>
[Collection(RealProcesses.Name)]
public class DrillLoadTests
{
    [Fact]
    public async Task Run_KillPrimaryUnderLoad_ReportShowsTheDipWhatBrokeFirstAndTheToolStoppedWithTheProbes()
    {
        // hold 0: clients see the failover as errors, so the load shows a dip rather than only slower answers.
        await using var pair = await WebPair.StartAsync(hold: "0s");
        await using var controller = await ControllerProcess.StartHealthyAsync(pair);

        var run = await DrillRun.RunAsync(pair.Dir, DrillRun.Yaml(pair, faults: "  - kill_process: { member: web-a, signal: KILL }", extra: $$"""
            load:
              - { name: browse, http: { url: "{{pair.ProxyUrl}}", timeout: 2s }, rate: 100, concurrency: 20 }
              - { name: tool, command: [sh, -c, "echo load started; exec sleep 600"] }
            """));

        DrillReport report = run.Report ?? throw new Xunit.Sdk.XunitException($"no report\n{run.Cli.Out}\n{run.Cli.Err}");
        LoadResult browse = report.Load.Single(l => l.Name == "browse"), tool = report.Load.Single(l => l.Name == "tool");
        string windows = string.Join("\n", browse.Windows);
        Assert.Equal(["before", "during", "after"], browse.Windows.Select(w => w.Name));
        LoadWindow before = browse.Windows[0], during = browse.Windows[1];
        // The dip: clients fail between the kill and the switch. Throughput is not compared: on a busy host the
        // open-loop timer's pace itself varies more than a short outage moves it.
        Assert.True(before.Attempts > 0 && during.Attempts > 0, windows);
        Assert.True(during.ErrorRatePct > before.ErrorRatePct, $"no dip during the failover\n{windows}");
        Assert.NotNull(report.FirstBroken);
        Assert.Contains(report.FirstBroken!.Source, new[] { "web", "browse" });
        Assert.True(report.FirstBroken.AfterFaultMs >= 0);

        Assert.Empty(tool.Windows);
        Assert.Matches(@"^ran [\d.]+ s, stopped with the probes$", tool.Outcome);
        Assert.Contains("load started", tool.Output);
        string md = await File.ReadAllTextAsync(Path.Combine(run.Folder!, "report.md"));
        Assert.Contains("## Under load", md);
        Assert.Contains("**What broke first**", md);
    }
}
