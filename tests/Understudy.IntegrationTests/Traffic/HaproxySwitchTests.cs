using Understudy.Api;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Probes;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>
/// traffic.haproxy against Debian's HAProxy 2.6: two sample apps as servers of one backend, no built-in proxy. The
/// controller switches the servers through the runtime API, never fails back, and reconciles after HAProxy restarts.
/// </summary>
[Collection(RealProcesses.Name)]
public class HaproxySwitchTests
{
    private static string Reason(EventView e) => e.Details.GetValueOrDefault("reason")?.ToString() ?? "";

    private static string Story(IEnumerable<EventView> events) => string.Join("\n", events.Select(e => $"{e.Time:HH:mm:ss.fff} {e.Type} {e.Member}: {Reason(e)}"));

    /// <summary>The pair's config with traffic.haproxy (and no built-in proxy): <paramref name="where"/> is <c>socket: PATH</c> or <c>address: HOST:PORT</c>.</summary>
    private static Task ConfigureAsync(WebPair pair, string where, string backend) => File.WriteAllTextAsync(pair.Config, $$"""
        controller:
          api: 127.0.0.1:{{pair.ApiPort}}
          journal: journal.db
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:{{pair.PortA}}, pidfile: run/web-a.pid }
              - { name: web-b, address: 127.0.0.1:{{pair.PortB}}, pidfile: run/web-b.pid }
            primary: web-a
            check: { path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }
            failover: { mode: automatic, cooldown: 0s }
            traffic:
              haproxy: { {{where}}, backend: {{backend}} }
        """);

    /// <summary>The sample apps, HAProxy with both as servers of backend web, and a controller whose traffic.haproxy names <c>backend</c>.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        public required WebPair Pair { get; init; }
        public required HaproxyProcess Haproxy { get; init; }
        public required ControllerProcess Controller { get; init; }

        /// <summary>If a part cannot start, what did start is stopped, so nothing outlives the test.</summary>
        /// <param name="tcp">Whether the controller uses HAProxy's TCP admin address rather than its Unix socket.</param>
        public static async Task<Rig> StartAsync(string backend, bool tcp = false)
        {
            WebPair pair = await WebPair.StartAsync();
            HaproxyProcess? haproxy = null;
            try
            {
                haproxy = await HaproxyProcess.StartAsync(pair.Dir, "web", [("web-a", pair.PortA), ("web-b", pair.PortB)]);
                await ConfigureAsync(pair, tcp ? $"address: {haproxy.AdminAddress}" : $"socket: {haproxy.Socket}", backend);
                return new Rig { Pair = pair, Haproxy = haproxy, Controller = await pair.StartControllerAsync() };
            }
            catch
            {
                if (haproxy is not null) await haproxy.DisposeAsync();
                await pair.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Controller.DisposeAsync();
            await Haproxy.DisposeAsync();
            await Pair.DisposeAsync();
        }
    }

    [Fact]
    public async Task Haproxy_PrimaryKilled_StandbyServesThroughHaproxy_OldPrimaryStaysInMaint_ReconciledAfterHaproxyRestarts()
    {
        await using var rig = await Rig.StartAsync("web");
        var (pair, haproxy, controller) = (rig.Pair, rig.Haproxy, rig.Controller);

        // HAProxy's config has both servers ready: the controller's first look puts web-b in maint, and journals it.
        await Eventually.TrueAsync(async () => (await haproxy.StatesAsync("web"))["web-b"] == "maint", "web-b in maint after the first reconcile");
        Assert.Equal("ready", (await haproxy.StatesAsync("web"))["web-a"]);
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.TrafficReconciled)).Count == 1, "the first traffic.reconciled");

        using var probe = new HttpProbe(new ProbeSpec("web", ProbeKind.Http, haproxy.FrontendUrl.ToString(), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(8)), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        Task probing = probe.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Ok && s.AnsweredBy == "web-a") >= 20, "steady traffic to web-a through HAProxy");

        DateTimeOffset killedAt = DateTimeOffset.UtcNow;
        pair.A.Kill();
        await Eventually.TrueAsync(() => probe.Samples.Any(s => s.Ok && s.AnsweredBy == "web-b" && s.Start > killedAt), "an answer from web-b through HAProxy");
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.FailoverCompleted)).Count == 1, "failover.completed");
        Assert.Equal(new Dictionary<string, string> { ["web-a"] = "maint", ["web-b"] = "ready" }, await haproxy.StatesAsync("web"));

        // The old primary comes back up and stays out: no failback, its server stays in maint.
        await pair.RestartAAsync();
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Members.Single(m => m.Name == "web-a").Health == "up", "web-a seen up again");
        DateTimeOffset backAt = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => probe.Samples.Count(s => s.Start > backAt.AddSeconds(2)) >= 10, "two seconds of traffic after web-a is back");
        await stop.CancelAsync();
        await probing;
        Assert.Equal("maint", (await haproxy.StatesAsync("web"))["web-a"]);
        Assert.DoesNotContain(probe.Samples, s => s.Start > killedAt.AddMilliseconds(50) && s.Ok && s.AnsweredBy == "web-a");
        Assert.Contains(probe.Samples, s => s.Start > backAt && s.Ok && s.AnsweredBy == "web-b");

        IReadOnlyList<EventView> events = await controller.EventsAsync("web");
        EventView fenced = events.Single(e => e.Type == EventTypes.MemberFenced);
        Assert.Contains("web-a in maint", Reason(fenced));
        Assert.Contains("web-b ready", Reason(events.Single(e => e.Type == EventTypes.TrafficSwitched)));

        // HAProxy restarts from its config (both servers ready again, a new pid): the controller resets web-a to maint.
        int oldPid = haproxy.Pid;
        await haproxy.RestartAsync();
        Assert.NotEqual(oldPid, haproxy.Pid);
        EventView reconciled = await Eventually.GetAsync(async () =>
            (await controller.EventsAsync("web", EventTypes.TrafficReconciled)).FirstOrDefault(e => Reason(e).Contains($"pid {oldPid} → {haproxy.Pid}")), "traffic.reconciled after the restart");
        Assert.Contains("web-a ready, not maint", Reason(reconciled));
        Assert.Equal("web-b", reconciled.Member);
        Assert.Equal(new Dictionary<string, string> { ["web-a"] = "maint", ["web-b"] = "ready" }, await haproxy.StatesAsync("web"));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        HttpResponseMessage answer = await http.GetAsync(haproxy.FrontendUrl);
        Assert.True(answer.IsSuccessStatusCode, Story(events));
    }

    [Fact]
    public async Task Haproxy_WrongBackendOverTcp_FailoverFailsWithHaproxysMessage()
    {
        await using var rig = await Rig.StartAsync("nope", tcp: true);
        var (pair, haproxy, controller) = (rig.Pair, rig.Haproxy, rig.Controller);

        pair.A.Kill();
        EventView failed = await Eventually.GetAsync(async () =>
            (await controller.EventsAsync("web", EventTypes.FailoverFailed)).FirstOrDefault(), "failover.failed");
        Assert.Contains($"HAProxy {haproxy.AdminAddress} backend nope: `set server nope/web-a state maint`: No such backend.", Reason(failed));
        Assert.Empty(await controller.EventsAsync("web", EventTypes.TrafficReconciled));
        // Nothing was changed in HAProxy's real backend.
        Assert.Equal(new Dictionary<string, string> { ["web-a"] = "ready", ["web-b"] = "ready" }, await haproxy.StatesAsync("web"));
    }
}
