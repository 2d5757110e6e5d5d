using System.Diagnostics;
using System.Globalization;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;
using Understudy.IntegrationTests.Metrics;
using Understudy.IntegrationTests.Postgres;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13 item 8: "false member.down at every PostgreSQL cold start (the first checks time out at 150 ms while the
/// connection pool warms up)". A controller that starts cold (its first Npgsql connection to each member loads the
/// server's types and compiles the driver's code) against servers that answer must journal no member.down, nor fail
/// anything over: with the example's checks (200 ms / 150 ms, fall 2), a new controller on new servers, two restarts,
/// a start after both servers restarted too, and three starts on a busy machine.
/// </summary>
[Collection(RealProcesses.Name)]
public class PostgresColdStartTests(ITestOutputHelper output)
{
    /// <summary>examples/postgres/understudy.yaml's check.</summary>
    private const string ExampleCheck = "{ interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }";

    /// <summary>Checks each member must have had before a start counts as steady: many times the fall of 2.</summary>
    private const int ChecksPerMember = 15;

    private const string Service = "orders-db";

    [Fact]
    public async Task ColdStarts_ServersThatAnswer_NoMemberDownNorFailover()
    {
        // New servers, new controller, new journal (the fixture waits for a routable primary, every member up).
        await using var pg = await PgControlled.StartAsync(standbys: 1, check: ExampleCheck);
        await SteadyAsync(pg, "a new controller on new servers");

        for (int restart = 1; restart <= 2; restart++)
        {
            await pg.RestartControllerAsync();
            await SteadyAsync(pg, $"controller restart {restart}");
        }

        // Both servers restarted too while no controller ran: cold caches on their side as well.
        await pg.Controller.StopAsync();
        PgServer primary = pg.Cluster.Primary, standby = pg.Cluster.Standbys[0];
        await standby.StopAsync();
        await primary.StopAsync();
        await primary.StartAsync();
        await standby.StartAsync();
        await PgReplication.WaitStreamingAsync(primary, standby);
        await pg.RestartControllerAsync();
        await SteadyAsync(pg, "controller and servers restarted");

        // A busy machine, as where the issue was seen (builds beside the controller): twice as many spinning processes
        // as cores while the controller starts, until it has seen every member up. Without the warm-up 5 of 8 such
        // starts marked pg1 down (and failed it over), hence three.
        for (int busy = 1; busy <= 3; busy++)
        {
            string start = $"controller restart {busy} on a busy machine";
            await pg.Controller.StopAsync();
            using (new Spinners(2 * Environment.ProcessorCount))
            {
                await pg.RestartControllerAsync();
                await UpAsync(pg, start);
            }
            await SteadyAsync(pg, start);
        }
    }

    /// <summary>Waits until the controller routes to pg1 with every member up; fails at once if one is down.</summary>
    private static async Task UpAsync(PgControlled pg, string start)
    {
        await Eventually.TrueAsync(async () =>
        {
            ServiceView last = await pg.ServiceAsync();
            if (last.Members.Any(m => m.Health == "down") || last.Epoch != 1)
                throw new Xunit.Sdk.XunitException($"{start}: {Members(last)}\n{Story(await pg.Controller.EventsAsync(Service))}");
            return last is { Routable: "pg1" } && last.Members.All(m => m.Health == "up");
        }, $"{start}: routing to pg1 with every member up");
    }

    private static string Members(ServiceView service) =>
        string.Join("; ", service.Members.Select(m => $"{m.Name} {m.Health} ({m.LastDetail})")) + $"; epoch {service.Epoch}, routable {service.Routable}";

    private static string Story(IEnumerable<EventView> events) =>
        string.Join("\n", events.Select(e => $"{e.Time:HH:mm:ss.fff} {e.Type} {e.Member}: {e.Details.GetValueOrDefault("reason")}"));

    /// <summary>
    /// Waits until the controller routes to pg1 with both members up and every member had <see cref="ChecksPerMember"/>
    /// checks; then the journal must hold no member.down, member.suspected or failover.started, and the epoch be the first.
    /// </summary>
    private async Task SteadyAsync(PgControlled pg, string start)
    {
        await UpAsync(pg, start);
        MetricsPage metrics = await Eventually.GetAsync(async () =>
        {
            MetricsPage page = await MetricsPage.ReadAsync(pg.ApiPort);
            return pg.Cluster.Servers.All(s => Checks(page, s.Name, "_count") >= ChecksPerMember) ? page : null;
        }, $"{start}: {ChecksPerMember} checks of every member");
        foreach (PgServer s in pg.Cluster.Servers)
        {
            double count = Checks(metrics, s.Name, "_count");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{start}: {s.Name} {count} checks, {count - Checks(metrics, s.Name, "_bucket", "0.05")} over 50 ms, {count - Checks(metrics, s.Name, "_bucket", "0.1")} over 100 ms"));
        }

        ServiceView service = await pg.ServiceAsync();
        var wrong = (await pg.Controller.EventsAsync(Service))
            .Where(e => e.Type is EventTypes.MemberDown or EventTypes.MemberSuspected or EventTypes.FailoverStarted).ToList();
        Assert.True(wrong.Count == 0, $"{start}: {wrong.Count} false alarms\n{Story(wrong)}");
        Assert.Equal(1L, service.Epoch);
    }

    /// <summary>Busy loops in processes of their own, killed (by their own handles) when disposed.</summary>
    private sealed class Spinners(int count) : IDisposable
    {
        private readonly List<Process> _processes = [.. Enumerable.Range(0, count).Select(_ => Process.Start("sh", ["-c", "while :; do :; done"]))];

        public void Dispose()
        {
            foreach (Process p in _processes)
            {
                p.Kill();
                p.WaitForExit();
                p.Dispose();
            }
        }
    }

    /// <summary>A sample of the check-duration histogram of one member (its count, or a bucket by its upper bound).</summary>
    private static double Checks(MetricsPage page, string member, string suffix, string? le = null) =>
        page.Value("understudy_member_check_duration_seconds" + suffix,
            [("service", Service), ("member", member), .. le is null ? Array.Empty<(string, string)>() : [("le", le)]]) ?? 0;
}
