using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Postgres;

/// <summary>A real PostgreSQL cluster with an Understudy controller in front of it: config, controller process, proxy.</summary>
public sealed class PgControlled : IAsyncDisposable
{
    private PgControlled(PgCluster cluster, ControllerProcess controller, int proxyPort, int apiPort, string config)
    {
        Cluster = cluster;
        Controller = controller;
        ProxyPort = proxyPort;
        ApiPort = apiPort;
        Config = config;
    }

    public PgCluster Cluster { get; }
    /// <summary>The controller process; <see cref="RestartControllerAsync"/> replaces it.</summary>
    public ControllerProcess Controller { get; private set; }
    public int ProxyPort { get; }
    public int ApiPort { get; }
    public string Config { get; }

    /// <summary>What a client of the proxy uses.</summary>
    public string ProxyConnection => $"Host=127.0.0.1;Port={ProxyPort};Username=postgres;Database=postgres;Timeout=5";

    /// <param name="hooks">The service's <c>hooks:</c> mapping in flow style, if any.</param>
    public static async Task<PgControlled> StartAsync(int standbys = 1, bool synchronous = false, string maxLag = "1MB",
        string check = "{ interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }", string? hooks = null)
    {
        PgCluster cluster = await PgCluster.StartAsync(standbys, synchronous);
        int proxy = FreePort.Next(), api = FreePort.Next();
        string config = cluster.Dir.File("understudy.yaml");
        string members = string.Join("\n", cluster.Servers.Select(s =>
            $"      - {{ name: {s.Name}, address: 127.0.0.1:{s.Port}, data_dir: {s.DataDir} }}"));
        await File.WriteAllTextAsync(config, $"""
            controller: {'{'} api: 127.0.0.1:{api}, journal: journal.db {'}'}
            services:
              orders-db:
                kind: postgres
                postgres: {'{'} user: postgres, database: postgres {'}'}
                members:
            {members}
                check: {check}
                failover: {'{'} mode: automatic, cooldown: 0s, max_lag: {maxLag}, synchronous: {(synchronous ? "true" : "false")} {'}'}
                traffic:
                  proxy: {'{'} listen: 127.0.0.1:{proxy}, hold: 10s {'}'}
                targets: {'{'} rto: 5s, rpo: 0 {'}'}
                hooks: {hooks ?? "{}"}
            """);
        var controller = await ControllerProcess.StartAsync(config, api);
        var pg = new PgControlled(cluster, controller, proxy, api, config);
        await Eventually.TrueAsync(async () => await pg.ServiceAsync() is { Routable: not null } s && s.Members.All(m => m.Health == "up"),
            "the controller to route to a writable primary with every member up");
        // Synchronous mode promotes automatically only the standby proven synchronous and caught up (sync.caught_up):
        // a crash before the controller has proven that (a loaded host) rightly promotes nothing.
        if (synchronous)
            await Eventually.TrueAsync(async () => (await controller.EventsAsync("orders-db", EventTypes.SyncStandbyCaughtUp)).Count > 0,
                "the controller to prove a synchronous standby caught up");
        return pg;
    }

    /// <summary>Starts a new controller on the same config and journal (after the old one was stopped or killed).</summary>
    public async Task RestartControllerAsync()
    {
        await Controller.DisposeAsync();
        Controller = await ControllerProcess.StartAsync(Config, ApiPort);
    }

    public Task<ServiceView> ServiceAsync() => Controller.ServiceAsync("orders-db");

    public PgServer Server(string name) => Cluster.Servers.Single(s => s.Name == name);

    public async ValueTask DisposeAsync()
    {
        await Controller.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
