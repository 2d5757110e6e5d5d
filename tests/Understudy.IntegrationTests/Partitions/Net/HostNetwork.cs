using System.Net;

namespace Understudy.IntegrationTests.Partitions.Net;

/// <summary>One "host" of the lab: a network namespace with one address on the lab's bridge.</summary>
public sealed record LabHost(string Name, string Netns, IPAddress Address);

/// <summary>
/// Hosts as network namespaces joined by a bridge that lives in a namespace of its own (the switch), so nothing is
/// added to this machine's own interfaces: each host gets a veth pair, <c>eth0</c> inside the host and <c>v-NAME</c>
/// on the bridge, and an address in 10.77.0.0/16 on its <c>eth0</c>. Namespace names carry this process's PID and a
/// random run id, so parallel runs never collide; interface names need not (each lives in this run's namespaces).
/// Disposing deletes the namespaces, which removes their veths and the switch's nft table with them.
/// </summary>
public sealed class HostNetwork : IAsyncDisposable
{
    private readonly Dictionary<string, LabHost> _hosts = [];

    private HostNetwork(string runId) => RunId = runId;

    public string RunId { get; }
    /// <summary>The switch: the bridge and the fault table (<see cref="NftFaults"/>) live here.</summary>
    public string Switch => $"{Prefix}sw";
    public IReadOnlyDictionary<string, LabHost> Hosts => _hosts;
    public LabHost this[string name] => _hosts[name];
    private string Prefix => $"usp-{Environment.ProcessId}-{RunId}-";

    public static async Task<HostNetwork> CreateAsync(IEnumerable<(string Name, string Address)> hosts)
    {
        await SweepLeftoversAsync();
        var network = new HostNetwork(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)));
        try
        {
            await Shell.RunAsync("ip", "netns", "add", network.Switch);
            await Ip(network.Switch, "link", "add", "br0", "type", "bridge");
            await Ip(network.Switch, "link", "set", "br0", "up");
            foreach (var (name, address) in hosts) await network.AddHostAsync(name, IPAddress.Parse(address));
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    private async Task AddHostAsync(string name, IPAddress address)
    {
        if (name.Length > 13) throw new ArgumentException($"host name {name}: at most 13 characters (v-NAME is an interface name)");
        var host = new LabHost(name, Prefix + name, address);
        await Shell.RunAsync("ip", "netns", "add", host.Netns);
        _hosts[name] = host; // listed before its links, so disposing removes it whatever fails next
        await Ip(Switch, "link", "add", $"v-{name}", "type", "veth", "peer", "name", "eth0", "netns", host.Netns);
        await Ip(Switch, "link", "set", $"v-{name}", "master", "br0", "up");
        await Ip(host.Netns, "addr", "add", $"{address}/16", "dev", "eth0");
        await Ip(host.Netns, "link", "set", "eth0", "up");
        await Ip(host.Netns, "link", "set", "lo", "up"); // servers talk to themselves on 127.0.0.1 too
    }

    /// <summary>
    /// A test host killed mid-run (SIGKILL, a CI timeout) cannot dispose its lab: namespaces named for a process that no
    /// longer exists, and holding no process, are that lab's and are deleted before a new one is made.
    /// </summary>
    private static async Task SweepLeftoversAsync()
    {
        if (!Directory.Exists("/run/netns")) return;
        foreach (string netns in Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).OfType<string>())
        {
            if (netns.Split('-') is not ["usp", var pid, _, ..] || !int.TryParse(pid, out int owner) || Directory.Exists($"/proc/{owner}")) continue;
            if ((await Shell.RunAsync("ip", "netns", "pids", netns)).Trim().Length > 0) continue;
            await Shell.RunAsync("ip", "netns", "del", netns);
        }
    }

    private static Task<string> Ip(string netns, params string[] args) => Shell.RunAsync("ip", ["-n", netns, .. args]);

    /// <summary>Deletes every namespace of this run; the processes in them must have been stopped before.</summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<string>();
        foreach (string netns in _hosts.Values.Select(h => h.Netns).Append(Switch))
        {
            try { await Shell.RunAsync("ip", "netns", "del", netns); }
            catch (InvalidOperationException e) when (!File.Exists($"/run/netns/{netns}")) { _ = e; } // never made
            catch (InvalidOperationException e) { failures.Add(e.Message); }
        }
        if (failures.Count > 0) throw new InvalidOperationException("could not delete the lab's namespaces:\n" + string.Join('\n', failures));
    }
}
