using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Partitions.Lab;

/// <summary>
/// A three-member etcd cluster, one member per etcd host, so a partition can leave etcd a majority on one side and a
/// minority with the leader instance on the other. Heartbeat and election timeouts are etcd's defaults (100 ms, 1 s).
/// </summary>
public sealed class NsEtcd : IAsyncDisposable
{
    private readonly List<NsProcess> _members = [];

    private NsEtcd(IReadOnlyList<LabHost> hosts) => Hosts = hosts;

    public IReadOnlyList<LabHost> Hosts { get; }
    public IReadOnlyList<string> ClientUrls => [.. Hosts.Select(h => $"http://{h.Address}:2379")];

    public static async Task<NsEtcd> StartAsync(IReadOnlyList<LabHost> hosts, string folder, string clusterToken)
    {
        var etcd = new NsEtcd(hosts);
        try
        {
            string initial = string.Join(',', hosts.Select(h => $"{h.Name}=http://{h.Address}:2380"));
            foreach (var h in hosts)
            {
                string data = Path.Combine(folder, $"etcd-{h.Name}");
                etcd._members.Add(NsProcess.Start(h, Path.Combine(folder, $"etcd-{h.Name}.log"), "/usr/bin/etcd",
                [
                    "--name", h.Name, "--data-dir", data,
                    "--listen-client-urls", $"http://{h.Address}:2379", "--advertise-client-urls", $"http://{h.Address}:2379",
                    "--listen-peer-urls", $"http://{h.Address}:2380", "--initial-advertise-peer-urls", $"http://{h.Address}:2380",
                    "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", clusterToken,
                    "--auto-compaction-retention=1", "--logger", "zap", "--log-level", "warn",
                ]));
            }
            await Eventually.TrueAsync(async () => (await Task.WhenAll(hosts.Select(etcd.IsHealthyAsync))).All(ok => ok), "every etcd member healthy",
                TimeSpan.FromSeconds(30));
            return etcd;
        }
        catch (Exception e)
        {
            string logs = string.Join('\n', etcd._members.Select(m => $"--- {m.LogFile} ---\n{m.LogTail(10)}"));
            await etcd.DisposeAsync();
            throw new InvalidOperationException($"etcd did not start: {e.Message}\n{logs}", e);
        }
    }

    /// <summary>/health through the member's own namespace: true once it has a leader and serves.</summary>
    public async Task<bool> IsHealthyAsync(LabHost host)
    {
        int i = Hosts.ToList().IndexOf(host);
        if (_members[i].HasExited) throw new InvalidOperationException($"etcd on {host.Name} exited:\n{_members[i].LogTail()}");
        using var http = Netns.Http(host.Netns, new Uri($"http://{host.Address}:2379"), TimeSpan.FromSeconds(1));
        try { return (await http.GetStringAsync("/health")).Contains("\"health\":\"true\"", StringComparison.Ordinal); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_members.Select(m => m.DisposeAsync().AsTask()));
    }
}
