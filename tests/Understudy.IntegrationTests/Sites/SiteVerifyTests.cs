using System.Text.Json;
using System.Text.RegularExpressions;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Sites;

/// <summary>
/// Issue 15, the verify phase: four services, <c>db</c> a real PostgreSQL pair (pg1 primary in east, pg2 streaming in
/// west) and auth, api, web of sample apps (-a east, -b west), with <c>sites.east: [db, auth, api, web]</c>, one approval,
/// and a verify probe per service through its proxy: sql_write, tcp, http, http.
/// </summary>
[Collection(RealProcesses.Name)]
public class SiteVerifyTests
{
    private const string BobToken = SiteSetup.BobToken;
    private static readonly string[] Order = ["db", "auth", "api", "web"];

    [Fact]
    public async Task FailoverSite_EveryProbePasses_MovesEachServiceWestInOrderVerifiedByItsProbe()
    {
        await using var setup = await FourServices.StartAsync(apiWestUnready: false);
        await using var controller = await setup.StartControllerAsync();

        string id = await setup.RequestAsync();
        CliRunner.Result approved = await setup.CliAsync(BobToken, "approve", id, "--wait", "--timeout", "90s");
        Assert.True(approved.ExitCode == 0, approved.Out + approved.Err + controller.Output);
        Assert.Contains($"{id} site east completed", approved.Out);

        ServiceView db = await controller.ServiceAsync("db");
        Assert.Equal(("pg2", "pg2"), (db.Primary, db.Routable));
        foreach (string service in Order[1..]) Assert.Equal($"{service}-b", (await controller.ServiceAsync(service)).Routable);
        var switched = new List<EventView>();
        foreach (string service in Order)
        {
            switched.Add(Assert.Single(await controller.EventsAsync(service, EventTypes.SwitchoverCompleted)));
            string moved = Text(Assert.Single(await controller.EventsAsync(service, EventTypes.SiteServiceMoved)), "reason");
            Assert.True(Regex.IsMatch(moved, @"verified routable and up; verified by probe: 3 successes in \d+ ms$"), moved);
        }
        Assert.Equal(Order, switched.OrderBy(e => e.Id).Select(e => e.Service));
        setup.Pg.Primary.Adopt(); // the controller restarted it as a standby of pg2
    }

    [Fact]
    public async Task FailoverSite_ThirdServicesProbeFails_RollsItAndTheFirstTwoBackEast()
    {
        await using var setup = await FourServices.StartAsync(apiWestUnready: true);
        await using var controller = await setup.StartControllerAsync();

        string id = await setup.RequestAsync();
        CliRunner.Result approved = await setup.CliAsync(BobToken, "approve", id, "--wait", "--timeout", "90s");
        Assert.True(approved.ExitCode == 1, approved.Out + approved.Err + controller.Output);
        Assert.Contains($"{id} site east failed", approved.Out);

        // api-b passed the controller's checks (its /health answers) and api moved; its probe of the real page did not pass.
        string failed = Text(Assert.Single(await controller.EventsAsync("api", EventTypes.SiteFailed)), "reason");
        string expected = $"site failover {id} of east stopped at api: verification failed: api: 3 consecutive successes not reached within 5 s; "
            + $"last: HTTP 503, expected 200 from http://127.0.0.1:{setup.ProxyPort("api")}/; rolling back api, auth, db";
        Assert.True(failed == expected, $"expected: {expected}\nactual:   {failed}");

        ServiceView db = await controller.ServiceAsync("db");
        Assert.Equal(("pg1", "pg1"), (db.Primary, db.Routable));
        foreach (string service in Order[1..]) Assert.Equal($"{service}-a", (await controller.ServiceAsync(service)).Routable);
        var rolledBack = new List<EventView>();
        foreach (string service in Order[..3])
        {
            Assert.Equal(2, (await controller.EventsAsync(service, EventTypes.SwitchoverCompleted)).Count);
            EventView back = Assert.Single(await controller.EventsAsync(service, EventTypes.SiteRolledBack));
            Assert.True(((JsonElement)back.Details["succeeded"]!).GetBoolean(), Text(back, "reason"));
            // The way back is verified by the same probe.
            Assert.True(Regex.IsMatch(Text(back, "reason"), @"verified by probe: 3 successes in \d+ ms$"), Text(back, "reason"));
            rolledBack.Add(back);
        }
        // Newest first: api, then auth, then db; web never moved.
        Assert.Equal(["api", "auth", "db"], rolledBack.OrderBy(e => e.Id).Select(e => e.Service));
        Assert.Empty(await controller.EventsAsync("web", EventTypes.SiteStarted));
        setup.Pg.Primary.Adopt(); // restarted by the controller, as a standby and then as the primary again
        setup.Pg.Standbys[0].Adopt();
    }

    private static string Text(EventView e, string key) => ((JsonElement)e.Details[key]!).GetString()!;

    /// <summary>The PostgreSQL pair, the sample apps (api-b <c>--unready</c> when asked) and the config.</summary>
    private sealed class FourServices : SiteSetup, IAsyncDisposable
    {
        private readonly Dictionary<string, int> _proxies = Order.ToDictionary(s => s, _ => FreePort.Next());

        private FourServices(PgCluster pg) => Pg = pg;

        public PgCluster Pg { get; }

        public int ProxyPort(string service) => _proxies[service];

        /// <param name="apiWestUnready">api-b answers its health checks but 503 to clients; api's probe gets 5 s.</param>
        public static async Task<FourServices> StartAsync(bool apiWestUnready)
        {
            var setup = new FourServices(await PgCluster.StartAsync(standbys: 1));
            try
            {
                PgServer pg1 = setup.Pg.Primary, pg2 = setup.Pg.Standbys[0];
                var services = new List<string>
                {
                    $$"""
                      db:
                        kind: postgres
                        postgres: { user: postgres, database: postgres }
                        members:
                          - { name: pg1, address: 127.0.0.1:{{pg1.Port}}, data_dir: {{pg1.DataDir}}, site: east }
                          - { name: pg2, address: 127.0.0.1:{{pg2.Port}}, data_dir: {{pg2.DataDir}}, site: west }
                        check: { interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
                        failover: { mode: manual, cooldown: 0s }
                        traffic:
                          proxy: { listen: 127.0.0.1:{{setup._proxies["db"]}}, hold: 10s }
                    """,
                };
                foreach (string name in Order[1..])
                    services.Add(await setup.StartAppServiceAsync(name, setup._proxies[name], "{ mode: manual, cooldown: 0s }",
                        westArgs: name == "api" && apiWestUnready ? ["--unready"] : []));
                await setup.WriteConfigAsync(services, $$"""
                      east:
                        services: [{{string.Join(", ", Order)}}]
                        approvals: 1
                        verify:
                          db: { probe: { sql_write: { connection: "Host=127.0.0.1;Port={{setup._proxies["db"]}};Username=postgres;Database=postgres;Timeout=5", timeout: 2s } } }
                          auth: { probe: { tcp: { address: 127.0.0.1:{{setup._proxies["auth"]}} } }, successes: 3, within: 30s }
                          api: { probe: { http: { url: "http://127.0.0.1:{{setup._proxies["api"]}}/" } }, within: {{(apiWestUnready ? "5s" : "30s")}} }
                          web: { probe: { http: { url: "http://127.0.0.1:{{setup._proxies["web"]}}/health" } } }
                    """);
                return setup;
            }
            catch
            {
                await setup.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Dispose();
            await Pg.DisposeAsync();
        }
    }
}
