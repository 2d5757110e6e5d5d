using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills;
using Understudy.Drills.Reports;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Demo;

/// <summary>
/// The README's first command: two sample apps (replicating writes to each other) behind the
/// controller's proxy; a drill kills the primary with SIGKILL under client load and measures what
/// clients saw; the old primary is restarted and stays out of traffic; the journal's timeline and the
/// drill's report follow. Everything it starts it stops; bounded well under a minute.
/// </summary>
public sealed class DemoRunner(IAnsiConsole console, string reportsDir)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        string dir = Directory.CreateTempSubdirectory("understudy-demo-").FullName;
        int portA = FreePort.Next(), portB = FreePort.Next(), proxyPort = FreePort.Next(), apiPort = FreePort.Next();
        string yaml = DemoConfig.Yaml(portA, portB, proxyPort, apiPort, "journal.db");
        ConfigResult config = ConfigLoader.Parse(yaml, "demo.yaml", dir);
        string drillFile = Path.Combine(dir, "demo-drill.yaml");
        await File.WriteAllTextAsync(drillFile, DemoConfig.Drill(proxyPort, apiPort), ct);
        DrillResult drill = DrillLoader.Load(drillFile);
        if (!config.Ok || !drill.Ok)
            throw new InvalidOperationException("the demo's built-in files are invalid: " + string.Join("; ", config.Errors.Concat(drill.Errors)));

        console.Write(new Rule("[bold]Understudy demo[/]").LeftJustified());
        console.MarkupLine($"Built-in config (files in {Markup.Escape(dir)}):");
        console.WriteLine(yaml);

        var apps = new List<SampleAppProcess>();
        WebApplication? controller = null;
        try
        {
            apps.Add(await StartAppAsync("web-a", portA, portB, dir));
            apps.Add(await StartAppAsync("web-b", portB, portA, dir));
            console.MarkupLine($"Started sample apps web-a (pid {apps[0].Pid}) and web-b (pid {apps[1].Pid}); each replicates its writes to the other, synchronously.");

            controller = await ControllerHost.CreateAsync(config.Spec!, dir, logging: l => l.SetMinimumLevel(LogLevel.None));
            await controller.StartAsync(ct);
            var runtime = controller.Services.GetRequiredService<Controller>().Services[0];
            await WaitAsync(() => runtime.Loop.State.Members.Values.All(m => m.Health == Core.Detection.Health.Up), "both members to pass their checks");
            console.MarkupLine($"Controller up: proxy on 127.0.0.1:{proxyPort}, API on 127.0.0.1:{apiPort}; web-a is primary, epoch {runtime.Loop.State.Epoch}.");
            console.MarkupLine("Now a drill: clients read and write through the proxy every 20 ms while web-a is killed with SIGKILL.");

            using var client = new ControllerClient(new Uri($"http://127.0.0.1:{apiPort}"), "web");
            var ctx = new DrillContext(drill.Spec!, client, new ConsoleDrillObserver(console), TimeProvider.System, TextReader.Null);
            DrillRecord record = await new DrillRunner(ctx).RunAsync(ct);
            DrillReport report = ReportAssembly.Build(record);

            apps[0] = await StartAppAsync("web-a", portA, portB, dir);
            console.MarkupLine($"Restarted web-a (pid {apps[0].Pid}); it passes its checks but must not get traffic back.");
            await WaitAsync(() => runtime.Loop.State.Members["web-a"].Health == Core.Detection.Health.Up, "web-a to be seen up again");
            bool noFailback = await AnsweredOnlyByAsync($"http://127.0.0.1:{proxyPort}/", "web-b", requests: 50);

            var events = await controller.Services.GetRequiredService<IJournal>().ReadAsync(new JournalQuery("web"), ct);
            Timeline(events, report.FaultAt ?? report.StartedAt);
            string folder = ReportFolder.Create(reportsDir, report.Name, report.StartedAt);
            await ReportFolder.WriteAsync(folder, report, record.Probes.SelectMany(p => p.Samples.Select(s => (p.Spec.Name, s))).ToList(), CancellationToken.None);
            DrillSummary.Write(console, report, folder);

            bool ok = report.Verdict == Verdict.Passed && noFailback;
            console.MarkupLine(ok
                ? "[green]Failover done: traffic moved to web-b with no acknowledged write lost, and web-a, back up, stayed out of traffic (no automatic failback).[/]"
                : $"[red]The demo did not go as expected (drill {report.Verdict.ToString().ToLowerInvariant()}, web-a kept out of traffic: {noFailback}); see above.[/]");
            return ok ? 0 : 1;
        }
        finally
        {
            if (controller is not null)
            {
                await controller.StopAsync(CancellationToken.None);
                await controller.DisposeAsync();
            }
            foreach (var app in apps) app.Dispose();
            console.MarkupLine("Stopped everything the demo started.");
        }
    }

    private static Task<SampleAppProcess> StartAppAsync(string name, int port, int peer, string dir) =>
        SampleAppProcess.StartAsync(name, port, Within, "--peer", $"127.0.0.1:{peer}", "--replication", "sync", "--pidfile", Path.Combine(dir, $"{name}.pid"));

    private void Timeline(IReadOnlyList<JournalEvent> events, DateTimeOffset faultAt)
    {
        var timeline = new Table().Title("Controller journal (ms from the kill)").AddColumns("+ms", "epoch", "event", "member", "reason");
        foreach (JournalEvent e in events.Where(e => e.Time >= faultAt.AddMilliseconds(-500)))
            timeline.AddRow((e.Time - faultAt).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture), e.Epoch.ToString(CultureInfo.InvariantCulture),
                e.Type, e.Member ?? "", Markup.Escape(e.Reason ?? ""));
        console.Write(timeline);
    }

    private static async Task<bool> AnsweredOnlyByAsync(string url, string member, int requests)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(6) };
        for (int i = 0; i < requests; i++)
            if ((await http.GetStringAsync(url)).Trim() != member) return false;
        return true;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > Within) throw new TimeoutException($"gave up waiting {Within.TotalSeconds:0} s for {what}");
            await Task.Delay(20);
        }
    }
}
