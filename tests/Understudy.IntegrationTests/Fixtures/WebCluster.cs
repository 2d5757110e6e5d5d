using Understudy.Cluster;
using Understudy.Demo;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures.Etcd;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>
/// Several controller instances of one cluster on a real etcd, in front of two sample apps: each instance with its
/// own config (name, API, proxy, journal), as each host of a cluster would have. Optionally an instance reaches etcd
/// through a <see cref="TcpRelay"/> the test can cut, to put it on the wrong side of a partition.
/// </summary>
public sealed class WebCluster : IAsyncDisposable
{
    public const string Lease = "2s";
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, TcpRelay> _relays = [];
    private readonly Dictionary<string, ControllerProcess?> _processes = [];

    private WebCluster(EtcdServer etcd) => Etcd = etcd;

    public EtcdServer Etcd { get; }
    public TempDir Dir { get; } = new();
    public SampleAppProcess A { get; private set; } = null!;
    public SampleAppProcess B { get; private set; } = null!;
    public int PortA { get; } = FreePort.Next();
    public int PortB { get; } = FreePort.Next();
    public IReadOnlyList<string> Names { get; private init; } = [];
    public Dictionary<string, (int Api, int Proxy)> Ports { get; } = [];
    private Func<string, string> ControllerExtra { get; init; } = _ => "";
    private string? CaCert { get; init; }
    private bool TwoSites { get; init; }

    public ControllerProcess this[string name] => _processes[name] ?? throw new InvalidOperationException($"{name} is not running");

    public IEnumerable<string> Running => Names.Where(n => _processes[n] is { Process.HasExited: false });

    /// <param name="relayed">Instances that reach etcd through a relay the test can cut.</param>
    /// <param name="environment">Extra environment per instance (a failpoint for the first leader).</param>
    /// <param name="services">Instead of the two sample apps: the <c>services:</c> section for an instance whose proxy listens on the given port.</param>
    /// <param name="controllerExtra">More keys of an instance's <c>controller:</c>, by its name, e.g. its <c>tls</c>.</param>
    /// <param name="caCert">With TLS: what the fixture's own reads trust.</param>
    /// <param name="twoSites">web-a in site east, web-b in west, and <c>sites.east: [web]</c>.</param>
    public static async Task<WebCluster> StartAsync(int instances = 3, string[]? relayed = null, string hold = "5s",
        string failover = "{ mode: automatic, cooldown: 0s }", string hooks = "{}", IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? environment = null,
        string topLevel = "", Func<int, string>? services = null, Func<WebCluster, Task<bool>>? healthy = null,
        string check = "{ path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }", Func<string, string>? controllerExtra = null, string? caCert = null,
        bool twoSites = false)
    {
        var cluster = new WebCluster(await EtcdServer.StartAsync())
        {
            Names = [.. Enumerable.Range(0, instances).Select(i => $"ctl-{(char)('a' + i)}")], ControllerExtra = controllerExtra ?? (_ => ""), CaCert = caCert,
            TwoSites = twoSites,
        };
        try
        {
            if (services is null)
            {
                cluster.A = await SampleAppProcess.StartAsync("web-a", cluster.PortA, Eventually.Deadline);
                cluster.B = await SampleAppProcess.StartAsync("web-b", cluster.PortB, Eventually.Deadline);
            }
            foreach (string name in cluster.Names)
            {
                cluster.Ports[name] = (FreePort.Next(), FreePort.Next());
                string etcd = relayed?.Contains(name) == true ? (cluster._relays[name] = new TcpRelay(cluster.Etcd.ClientPort)).Url : cluster.Etcd.Url;
                string body = services?.Invoke(cluster.Ports[name].Proxy) ?? cluster.WebService(name, hold, failover, hooks, check);
                string sites = twoSites ? "sites:\n  east: { services: [web] }\n" : "";
                await File.WriteAllTextAsync(cluster.Config(name), cluster.ControllerText(name, etcd) + body + "\n" + topLevel + sites);
                cluster._processes[name] = null;
            }
            // One after another, so the first is the leader: tests then know whom to kill.
            foreach (string name in cluster.Names)
            {
                await cluster.StartInstanceAsync(name, environment?.GetValueOrDefault(name));
                if (name == cluster.Names[0]) await cluster.LeaderAsync();
            }
            await cluster.AgreeAsync();
            if (healthy is not null) await Eventually.TrueAsync(() => healthy(cluster), "the service to be healthy on the leader");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public string Config(string name) => Dir.File($"{name}.yaml");

    public TcpRelay Relay(string name) => _relays[name];

    public async Task StartInstanceAsync(string name, IReadOnlyDictionary<string, string>? environment = null) =>
        _processes[name] = await ControllerProcess.StartAsync(Config(name), Ports[name].Api, environment: environment, caCert: CaCert);

    public async Task KillAsync(string name) => await this[name].KillAsync();

    /// <summary>The leader every running instance names, once they all name the same one.</summary>
    public async Task<string> LeaderAsync(TimeSpan? within = null) =>
        await Eventually.GetAsync(async () =>
        {
            var views = await Task.WhenAll(Running.Select(n => this[n].TryClusterAsync()));
            string? leader = views.FirstOrDefault()?.Leader;
            return leader is not null && views.All(v => v?.Leader == leader) && Running.Contains(leader) ? leader : null;
        }, "every running instance to name the same live leader", within);

    /// <summary>Every running instance has registered, sees the others, and routes (it has read the log).</summary>
    public Task AgreeAsync() => Eventually.TrueAsync(async () =>
    {
        var views = await Task.WhenAll(Running.Select(n => this[n].TryClusterAsync()));
        var ready = await Task.WhenAll(Running.Select(n => this[n].IsReadyAsync()));
        return ready.All(r => r) && views.All(v => v is not null && Running.All(n => v.Instances.Any(i => i.Name == n)));
    }, "every instance to see the others and route");

    public async Task<ClusterView> ViewAsync(string name) => await this[name].TryClusterAsync() ?? throw new InvalidOperationException($"{name} does not answer");

    private string ControllerText(string name, string etcd) => $$"""
        controller:
          name: {{name}}
          api: 127.0.0.1:{{Ports[name].Api}}
          journal: {{name}}.db
          coordination: { etcd: [{{etcd}}], cluster: shop, lease: {{Lease}} }
          {{ControllerExtra(name)}}

        """;

    private string WebService(string name, string hold, string failover, string hooks, string check) => $$"""
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:{{PortA}}{{(TwoSites ? ", site: east" : "")}} }
              - { name: web-b, address: 127.0.0.1:{{PortB}}{{(TwoSites ? ", site: west" : "")}} }
            primary: web-a
            check: {{check}}
            failover: {{failover}}
            traffic:
              proxy: { listen: 127.0.0.1:{{Ports[name].Proxy}}, hold: {{hold}} }
            hooks: {{hooks}}
        """;

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes.Values.OfType<ControllerProcess>()) await p.DisposeAsync();
        foreach (var r in _relays.Values) await r.DisposeAsync();
        A?.Dispose();
        B?.Dispose();
        await Etcd.DisposeAsync();
        Dir.Dispose();
    }
}
