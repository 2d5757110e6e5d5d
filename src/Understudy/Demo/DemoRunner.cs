using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Probes;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Demo;

/// <summary>
/// The README's first command: two sample apps behind the controller's proxy, a client every 20 ms,
/// SIGKILL of the primary, the traffic moving, the old primary restarted and kept out, the journal's
/// timeline and what clients saw. Everything it starts it stops; bounded well under a minute.
/// </summary>
public sealed class DemoRunner(IAnsiConsole console)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        string dir = Directory.CreateTempSubdirectory("understudy-demo-").FullName;
        int portA = FreePort.Next(), portB = FreePort.Next(), proxyPort = FreePort.Next(), apiPort = FreePort.Next();
        string yaml = DemoConfig.Yaml(portA, portB, proxyPort, apiPort, "journal.db");
        ConfigResult config = ConfigLoader.Parse(yaml, "demo.yaml", dir);
        if (!config.Ok) throw new InvalidOperationException("the demo's built-in config is invalid: " + string.Join("; ", config.Errors));

        console.Write(new Rule("[bold]Understudy demo[/]").LeftJustified());
        console.MarkupLine($"Built-in config (journal in {Markup.Escape(dir)}):");
        console.WriteLine(yaml);

        var apps = new List<SampleAppProcess>();
        WebApplication? controller = null;
        try
        {
            apps.Add(await SampleAppProcess.StartAsync("web-a", portA, Within));
            apps.Add(await SampleAppProcess.StartAsync("web-b", portB, Within));
            console.MarkupLine($"Started sample apps: web-a (pid {apps[0].Pid}, :{portA}) and web-b (pid {apps[1].Pid}, :{portB}).");

            controller = await ControllerHost.CreateAsync(config.Spec!, dir, logging: l => l.SetMinimumLevel(LogLevel.None));
            await controller.StartAsync(ct);
            var runtime = controller.Services.GetRequiredService<Controller>().Services[0];
            await WaitAsync(() => runtime.Loop.State.Members.Values.All(m => m.Health == Core.Detection.Health.Up), "both members to pass their checks");
            console.MarkupLine($"Controller up: proxy on 127.0.0.1:{proxyPort}, API on 127.0.0.1:{apiPort}; web-a is primary, epoch {runtime.Loop.State.Epoch}.");

            using var probe = new HttpProbe(new ProbeSpec("web", ProbeKind.Http, $"http://127.0.0.1:{proxyPort}/", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(6)), TimeProvider.System);
            using var stopProbe = new CancellationTokenSource();
            Task probing = probe.RunAsync(stopProbe.Token);
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct);

            DateTimeOffset killedAt = DateTimeOffset.UtcNow;
            apps[0].Kill();
            console.MarkupLine($"[red]SIGKILL web-a (pid {apps[0].Pid})[/] at {killedAt:HH:mm:ss.fff} UTC; the client keeps sending through the proxy.");
            await WaitAsync(() => runtime.Loop.State is { Routable: "web-b", Failover: null }, "the failover to web-b");
            await WaitAsync(() => probe.Samples.Any(s => s.Ok && s.AnsweredBy == "web-b"), "a client answer from web-b");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);

            apps[0] = await SampleAppProcess.StartAsync("web-a", portA, Within);
            console.MarkupLine($"Restarted web-a (pid {apps[0].Pid}); it passes its checks but must not get traffic back.");
            await WaitAsync(() => runtime.Loop.State.Members["web-a"].Health == Core.Detection.Health.Up, "web-a to be seen up again");
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
            await stopProbe.CancelAsync();
            await probing;

            var events = await controller.Services.GetRequiredService<IJournal>().ReadAsync(new JournalQuery("web"), ct);
            return Report(events, probe.Samples, killedAt) ? 0 : 1;
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

    private bool Report(IReadOnlyList<JournalEvent> events, IReadOnlyList<ProbeSample> samples, DateTimeOffset killedAt)
    {
        var timeline = new Table().Title("Journal timeline (ms from the kill)").AddColumns("+ms", "epoch", "event", "member", "reason");
        foreach (JournalEvent e in events.Where(e => e.Time >= killedAt.AddSeconds(-1)))
            timeline.AddRow(Ms(e.Time - killedAt), e.Epoch.ToString(CultureInfo.InvariantCulture), e.Type, e.Member ?? "", Markup.Escape(e.Reason ?? ""));
        console.Write(timeline);

        var probe = new ProbeSpec("web", ProbeKind.Http, "proxy", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(6));
        var outage = ProbeMeasurement.Measure(probe, samples, new DrillWindow(samples[0].Start, samples[^1].End, killedAt, null, TimeSpan.FromSeconds(1)));
        var after = samples.Where(s => s.Start > killedAt && s.Ok).ToList();
        var firstFromB = after.FirstOrDefault(s => s.AnsweredBy == "web-b");
        int failedBack = after.Count(s => s.AnsweredBy == "web-a");
        var client = new Table().Title("What clients saw").AddColumns("measure", "value");
        client.AddRow("requests through the proxy", outage.Attempts.ToString(CultureInfo.InvariantCulture));
        client.AddRow("failed requests", outage.Failed.ToString(CultureInfo.InvariantCulture));
        client.AddRow("outage: kill → first answer from web-b", firstFromB is null ? "never" : $"{Ms(firstFromB.End - killedAt)} ms");
        client.AddRow("slowest request (held while failing over)", $"{Ms(samples.Max(s => s.Latency))} ms");
        client.AddRow("RTO (first failure → sustained success)", outage.RtoMs is { } rto ? $"{rto:0} ms" : "not recovered");
        client.AddRow("answers from web-a after the kill", failedBack.ToString(CultureInfo.InvariantCulture));
        console.Write(client);

        bool ok = firstFromB is not null && failedBack == 0 && events.Any(e => e.Type == EventTypes.FailoverCompleted);
        console.MarkupLine(ok
            ? "[green]Failover done: traffic moved to web-b, and web-a, back up, stayed out of traffic (no automatic failback).[/]"
            : "[red]The demo did not go as expected; see the timeline above.[/]");
        return ok;
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

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
