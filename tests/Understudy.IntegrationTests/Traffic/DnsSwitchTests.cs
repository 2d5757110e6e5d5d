using System.Net;
using System.Net.Sockets;
using Understudy.Config;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Dns;
using Understudy.Traffic.Switches;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>traffic.dns's switch against Debian's BIND 9: the TSIG-signed UPDATE, the query that checks it, and each refusal.</summary>
[Collection(RealProcesses.Name)]
public class DnsSwitchTests
{
    private const string OldAddress = "192.0.2.10";

    [Fact]
    public async Task Switch_AgainstBind_ReplacesTheRecordAndAgainChangesNothing()
    {
        await using var bind = await BindServer.StartAsync(records: [("db", OldAddress), ("db", "192.0.2.99")]);
        using var dir = new TempDir();
        var (service, dns) = Service(dir, bind.Address, $"file:{bind.KeyFile}");
        var sw = new DnsSwitch(service, dns);

        SwitchOutcome first = await sw.SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);
        Assert.True(first.Ok, first.Detail);
        Assert.StartsWith("db.example.test. A 192.0.2.20 (TTL 30 s), checked by a query, in ", first.Detail);
        Assert.Equal(["192.0.2.20"], await bind.DigAsync("db.example.test"));
        long serial = await bind.SerialAsync();
        Assert.True(serial > 1, $"serial {serial}");

        // Idempotent: the same record again; the answer does not change.
        SwitchOutcome again = await sw.SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);
        Assert.True(again.Ok, again.Detail);
        Assert.Equal(["192.0.2.20"], await bind.DigAsync("db.example.test"));

        // An IPv6 member: the A records go, one AAAA takes their place.
        SwitchOutcome v6 = await sw.SwitchAsync(new SwitchTraffic("web-b", "web-c", 3), CancellationToken.None);
        Assert.True(v6.Ok, v6.Detail);
        Assert.StartsWith("db.example.test. AAAA 2001:db8::30 (TTL 30 s)", v6.Detail);
        Assert.Empty(await bind.DigAsync("db.example.test"));
        Assert.Equal(["2001:db8::30"], await bind.DigAsync("db.example.test", "AAAA"));
    }

    [Fact]
    public async Task Switch_WrongSecret_FailsWithBadSigAndLeavesTheRecord()
    {
        await using var bind = await BindServer.StartAsync(records: [("db", OldAddress)]);
        using var dir = new TempDir();
        string otherKey = dir.File("other.key");
        await File.WriteAllTextAsync(otherKey, await BindServer.KeyGenAsync(bind.KeyName));
        var (service, dns) = Service(dir, bind.Address, $"file:{otherKey}");

        SwitchOutcome outcome = await new DnsSwitch(service, dns).SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);

        Assert.False(outcome.Ok);
        Assert.Equal($"the DNS server {bind.Address} refused the update: TSIG key 'understudy.' (hmac-sha256) not accepted (BADSIG: the secret or the algorithm differs from the server's)",
            outcome.Detail);
        Assert.Equal([OldAddress], await bind.DigAsync("db.example.test"));
        Assert.DoesNotContain(dns.Tsig.Secret, outcome.Detail);
    }

    [Fact]
    public async Task Switch_KeyTheServerDoesNotKnow_FailsWithBadKey()
    {
        await using var bind = await BindServer.StartAsync(records: [("db", OldAddress)]);
        using var dir = new TempDir();
        string otherKey = dir.File("stranger.key");
        await File.WriteAllTextAsync(otherKey, await BindServer.KeyGenAsync("stranger"));
        var (service, dns) = Service(dir, bind.Address, $"file:{otherKey}", keyName: "stranger");

        SwitchOutcome outcome = await new DnsSwitch(service, dns).SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);

        Assert.False(outcome.Ok);
        Assert.Contains("TSIG key 'stranger.' (hmac-sha256) not accepted (BADKEY", outcome.Detail);
        Assert.Equal([OldAddress], await bind.DigAsync("db.example.test"));
    }

    [Fact]
    public async Task Switch_ZoneTheServerDoesNotHave_FailsWithNotAuth()
    {
        await using var bind = await BindServer.StartAsync(records: [("db", OldAddress)]);
        using var dir = new TempDir();
        var (service, dns) = Service(dir, bind.Address, $"file:{bind.KeyFile}", zone: "other.test");

        SwitchOutcome outcome = await new DnsSwitch(service, dns).SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);

        Assert.False(outcome.Ok);
        Assert.Equal($"the DNS server {bind.Address} refused the update: it is not authoritative for zone other.test., or did not accept the TSIG key 'understudy.' (hmac-sha256) (NOTAUTH)",
            outcome.Detail);
    }

    [Fact]
    public async Task Switch_ServerThatNeverAnswers_FailsAtItsTimeout()
    {
        // A UDP socket that reads nothing: the update goes out and no answer comes back.
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)silent.Client.LocalEndPoint!).Port;
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("k.key"), await BindServer.KeyGenAsync("understudy"));
        var (service, dns) = Service(dir, $"127.0.0.1:{port}", $"file:{dir.File("k.key")}", timeout: "400ms");
        var sw = new DnsSwitch(service, dns);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        SwitchOutcome outcome = await sw.SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);

        Assert.False(outcome.Ok);
        Assert.Equal($"no answer from 127.0.0.1:{port} within the timeout (400 ms), waiting for the update's answer", outcome.Detail);
        Assert.True(watch.Elapsed < sw.Timeout + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    /// <summary>
    /// A service of three members (IPv4 web-a and web-b, IPv6 web-c) whose traffic.dns names db.example.test in zone
    /// example.test at <paramref name="server"/>, read through the config loader as a user's file would be.
    /// </summary>
    private static (ServiceSpec Service, DnsSpec Dns) Service(TempDir dir, string server, string secret, string keyName = "understudy", string timeout = "5s",
        string zone = "example.test")
    {
        string yaml = $$"""
            services:
              web:
                kind: tcp
                members:
                  - { name: web-a, address: "{{OldAddress}}:5432" }
                  - { name: web-b, address: "192.0.2.20:5432" }
                  - { name: web-c, address: "[2001:db8::30]:5432" }
                primary: web-a
                traffic:
                  proxy: { listen: "127.0.0.1:{{FreePort.Next()}}" }
                  dns: { server: "{{server}}", zone: {{zone}}, name: db.{{zone}}, ttl: 30s, timeout: {{timeout}}, tsig: { name: {{keyName}}, secret: "{{secret}}" } }
            """;
        ConfigResult result = ConfigLoader.Parse(yaml, "understudy.yaml", dir.Path);
        Assert.True(result.Ok, string.Join('\n', result.Errors));
        ServiceSpec service = result.Spec!.Services.Single();
        return (service, service.TrafficSwitches.Dns!);
    }
}
