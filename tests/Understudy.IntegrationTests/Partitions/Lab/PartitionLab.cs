using Understudy.Api;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Partitions.Lab;

/// <summary>
/// The whole lab of one scenario run: nine hosts on one bridge — three instance hosts (a, b, c: an Understudy
/// instance and a writing client each), three etcd hosts (e1–e3) and two PostgreSQL hosts (pg1 primary, pg2
/// synchronous standby, each behind a delay relay) — with the nft fault table. etcd runs on hosts of its own rather
/// than beside the instances so that "the leader isolated" and "the leader with an etcd minority" are different
/// faults. Disposing stops every process by PID and deletes every namespace, whatever failed before.
/// </summary>
public sealed class PartitionLab : IAsyncDisposable
{
    public const string Service = "orders-db";
    public static readonly string[] InstanceHosts = ["a", "b", "c"];
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    private static readonly (string, string)[] Plan =
    [
        ("a", "10.77.0.11"), ("b", "10.77.0.12"), ("c", "10.77.0.13"),
        ("pg1", "10.77.0.21"), ("pg2", "10.77.0.22"),
        ("e1", "10.77.0.31"), ("e2", "10.77.0.32"), ("e3", "10.77.0.33"),
    ];

    private readonly List<NsInstance> _instances = [];
    private readonly List<NsClient> _clients = [];
    private readonly string _token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private PartitionLab(string folder) => Folder = folder;

    /// <summary>Logs, configs, journals and client attempts of this run; kept afterwards (PostgreSQL's and etcd's data are not).</summary>
    public string Folder { get; }
    public HostNetwork Network { get; private set; } = null!;
    public NftFaults Faults { get; private set; } = null!;
    public NsEtcd Etcd { get; private set; } = null!;
    public NsPostgres Pg { get; private set; } = null!;
    public IReadOnlyList<NsInstance> Instances => _instances;
    public IReadOnlyList<NsClient> Clients => _clients;
    public LabHost this[string host] => Network[host];
    public NsInstance Instance(string name) => _instances.Single(i => i.Name == name);
    public NsInstance OnHost(LabHost host) => _instances.Single(i => i.Host == host);

    /// <param name="check">The service's <c>check</c> mapping, the same in every scenario unless one needs otherwise.</param>
    public static async Task<PartitionLab> StartAsync(string folder, string check)
    {
        Directory.CreateDirectory(folder);
        var lab = new PartitionLab(folder);
        try
        {
            lab.Network = await HostNetwork.CreateAsync(Plan);
            lab.Faults = await NftFaults.CreateAsync(lab.Network);
            var etcd = NsEtcd.StartAsync([lab["e1"], lab["e2"], lab["e3"]], folder, $"partitions-{lab.Network.RunId}");
            var pg = NsPostgres.StartAsync(lab["pg1"], lab["pg2"], folder);
            try { await Task.WhenAll(etcd, pg); }
            finally
            {
                // Whichever started is the lab's to stop, even when the other failed.
                if (etcd.IsCompletedSuccessfully) lab.Etcd = etcd.Result;
                if (pg.IsCompletedSuccessfully) lab.Pg = pg.Result;
            }
            foreach (string h in InstanceHosts) await File.WriteAllTextAsync(lab.ConfigFile(h), lab.Config(h, check));
            // The first alone, so it leads: scenarios still ask who leads rather than assume.
            lab._instances.Add(NsInstance.Start($"ctl-{InstanceHosts[0]}", lab[InstanceHosts[0]], lab.ConfigFile(InstanceHosts[0]), lab.LogFile(InstanceHosts[0]), lab._token));
            await lab.LeaderAsync();
            foreach (string h in InstanceHosts.Skip(1)) lab._instances.Add(NsInstance.Start($"ctl-{h}", lab[h], lab.ConfigFile(h), lab.LogFile(h), lab._token));
            await lab.ConvergedAsync(TimeSpan.FromSeconds(60));
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public void StartClients()
    {
        foreach (var i in _instances) _clients.Add(NsClient.Start(i.Host.Name, i.Host, i.ProxyAddress, Folder));
    }

    public async Task StopClientsAsync() => await Task.WhenAll(_clients.Select(c => c.StopAsync()));

    /// <summary>The leader every instance names, once they all name the same live one.</summary>
    public Task<string> LeaderAsync(TimeSpan? within = null) => Eventually.GetAsync(async () =>
    {
        var views = await Task.WhenAll(_instances.Select(i => i.TryClusterAsync()));
        string? leader = views.FirstOrDefault()?.Leader;
        return leader is not null && views.All(v => v?.Leader == leader) ? leader : null;
    }, "every instance to name the same leader", within ?? TimeSpan.FromSeconds(30));

    /// <summary>
    /// Converged: one leader named by all, every instance routing (ready) to the same routable member at the same epoch,
    /// that member writable, no failover under way. Returns that member.
    /// </summary>
    public Task<string> ConvergedAsync(TimeSpan within) => Eventually.GetAsync(async () =>
    {
        var views = await Task.WhenAll(_instances.Select(i => i.TryClusterAsync()));
        var services = await Task.WhenAll(_instances.Select(i => i.TryServiceAsync(Service)));
        string? leader = views.FirstOrDefault()?.Leader;
        if (leader is null || views.Any(v => v?.Leader != leader || v.Routing != "open" || v.Instances.Count < _instances.Count)) return null;
        if (services.Any(s => s is null)) return null;
        var first = services[0]!;
        bool agree = services.All(s => s!.Routable == first.Routable && s.Epoch == first.Epoch && s.Failover is null);
        bool writable = first.Members.SingleOrDefault(m => m.Name == first.Routable) is { Health: "up", Writable: true };
        return agree && writable ? first.Routable : null;
    }, "the instances to converge on one leader and one routable, writable primary", within);

    public async Task<ServiceView> LeaderServiceAsync()
    {
        string leader = await LeaderAsync();
        return await Instance(leader).TryServiceAsync(Service) ?? throw new InvalidOperationException($"{leader} does not answer");
    }

    public string Diagnostics() => string.Join('\n',
        _instances.Select(i => $"--- {i.Name} ({i.Process.LogFile}) ---\n{i.Process.LogTail(25)}")
            .Concat(Pg?.Servers.Select(s => $"--- {s.LogFile} ---\n{s.LogTail(15)}") ?? []));

    private string ConfigFile(string host) => Path.Combine(Folder, $"ctl-{host}.yaml");

    private string LogFile(string host) => Path.Combine(Folder, $"ctl-{host}.log");

    private string Config(string host, string check) => $$"""
        controller:
          name: ctl-{{host}}
          api: {{this[host].Address}}:{{NsInstance.ApiPort}}
          journal: ctl-{{host}}.db
          auth: { tokens: [ { name: partition-suite, role: viewer, token: "${PARTITION_TOKEN}" } ] }
          allow_insecure_http: true   # the lab's private network namespaces; TLS is tested elsewhere
          coordination: { etcd: [{{string.Join(", ", Etcd.ClientUrls)}}], cluster: partitions, lease: {{(int)Lease.TotalSeconds}}s }

        services:
          {{Service}}:
            kind: postgres
            postgres: { user: postgres, database: postgres }
            members:
              - { name: pg1, address: {{Pg.MemberAddress("pg1")}} }
              - { name: pg2, address: {{Pg.MemberAddress("pg2")}} }
            primary: pg1
            check: {{check}}
            failover: { mode: automatic, cooldown: 0s, synchronous: true }
            traffic:
              proxy: { listen: {{this[host].Address}}:{{NsInstance.ProxyPort}}, hold: 3s }
            targets: { rto: 10s, rpo: 0 }
        """;

    /// <summary>Every step runs whatever the one before did; the first failure is rethrown at the end.</summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        async Task Step(Func<Task> step)
        {
            try { await step(); }
            catch (Exception e) { failures.Add(e); }
        }
        foreach (var c in _clients) await Step(() => c.DisposeAsync().AsTask());
        await Step(() => Task.WhenAll(_instances.Select(i => i.DisposeAsync().AsTask())));
        if (Pg is not null) await Step(() => Pg.DisposeAsync().AsTask());
        if (Etcd is not null) await Step(() => Etcd.DisposeAsync().AsTask());
        if (Network is not null) await Step(() => Network.DisposeAsync().AsTask());
        // Data folders go; logs, configs, journals and the clients' attempts stay for the report.
        foreach (string data in Directory.Exists(Folder) ? Directory.GetDirectories(Folder) : [])
            await Step(() => Task.Run(() => Directory.Delete(data, recursive: true)));
        if (failures.Count > 0) throw new AggregateException("the lab did not come down cleanly", failures);
    }
}
