using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>traffic.dns: the name the UPDATE replaces, its TSIG key (never inline), its defaults and each error.</summary>
public partial class ConfigLoaderTests
{
    private const string TsigSecret = "5COWtVpwG3MF1FpgcE/f0yat1rbvpD6oYqsU0iqTVFo=";
    private static readonly Dictionary<string, string> TsigEnvironment = new() { ["TSIG"] = TsigSecret };

    /// <summary>Base with the proxy and <c>traffic.dns</c> made of <paramref name="dns"/> (inside the braces): line 10.</summary>
    private static string Dns(string dns) => Web($"traffic:\n  proxy: {{ listen: 127.0.0.1:9000 }}\n  dns: {{ {dns} }}");

    private const string DnsKeys = "server: 10.0.0.53:53, zone: example.com, name: db.example.com, ttl: 30s, tsig: { name: understudy, secret: \"${TSIG}\" }";

    private static void AssertDnsErrors(string yaml, params string[] expected)
    {
        ConfigResult result = Parse(yaml, TsigEnvironment);
        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_Dns_QualifiesNamesAndFillsTheDefaults()
    {
        ServiceSpec web = AssertValid(Dns(DnsKeys), TsigEnvironment).Services[0];

        DnsSpec dns = web.TrafficSwitches.Dns!;
        Assert.Equal(new DnsSpec(new HostPort("10.0.0.53", 53), "example.com.", "db.example.com.", TimeSpan.FromSeconds(30),
            new TsigSpec("understudy.", "hmac-sha256", TsigSecret), TimeSpan.FromSeconds(5)), dns);
        Assert.False(web.TrafficSwitches.CanFence);
        Assert.DoesNotContain(TsigSecret, dns.Tsig.ToString());
    }

    [Fact]
    public void Parse_DnsEveryKey_RoundTrips()
    {
        DnsSpec dns = AssertValid(Dns("server: \"[2001:db8::53]:5353\", zone: Example.COM., name: example.com., ttl: 0s, timeout: 2s, tsig: { name: k.example.com., algorithm: HMAC-SHA512, secret: \"${TSIG}\" }"),
            TsigEnvironment).Services[0].TrafficSwitches.Dns!;

        // The zone's apex is inside the zone; names compare without regard to case; a zero TTL asks resolvers not to cache.
        Assert.Equal(new DnsSpec(new HostPort("2001:db8::53", 5353), "Example.COM.", "example.com.", TimeSpan.Zero,
            new TsigSpec("k.example.com.", "hmac-sha512", TsigSecret), TimeSpan.FromSeconds(2)), dns);
    }

    [Fact]
    public void Load_DnsSecretFile_TakesTheKeyFileTsigKeygenWrote()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-dns-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tsig.key"), $"key \"understudy\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{TsigSecret}\";\n}};\n");
            File.WriteAllText(Path.Combine(folder, "bare.key"), TsigSecret + "\n");
            foreach (string file in new[] { "tsig.key", "bare.key" })
            {
                string path = Path.Combine(folder, "understudy.yaml");
                File.WriteAllText(path, Dns(DnsKeys.Replace("\"${TSIG}\"", $"file:{file}")));
                ConfigResult result = ConfigLoader.Load(path);
                Assert.Empty(result.Errors);
                Assert.Equal(TsigSecret, result.Spec!.Services[0].TrafficSwitches.Dns!.Tsig.Secret);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Parse_DnsInlineSecret_IsRefusedWithoutQuotingIt()
    {
        ConfigResult result = Parse(Dns(DnsKeys.Replace("\"${TSIG}\"", TsigSecret)));

        Assert.Equal(["understudy.yaml:10:121 services.web.traffic.dns.tsig.secret: a TSIG secret must not be written in the file: use ${ENV_VAR} or file:PATH (the key file tsig-keygen wrote will do)"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_DnsSecretNotBase64_IsRefusedWithoutQuotingIt()
    {
        ConfigResult result = Parse(Dns(DnsKeys), new() { ["TSIG"] = "not base64!" });

        Assert.Equal(["understudy.yaml:10:121 services.web.traffic.dns.tsig.secret: the TSIG secret is not base64 (tsig-keygen writes it as `secret \"...\";`)"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_DnsNameOutsideItsZone_IsAnError() => AssertDnsErrors(
        Dns(DnsKeys.Replace("name: db.example.com", "name: db.example.org")),
        "understudy.yaml:10:61 services.web.traffic.dns.name: db.example.org. is not inside zone example.com.");

    [Fact]
    public void Parse_DnsNameThatOnlyEndsLikeTheZone_IsOutsideIt() => AssertDnsErrors(
        Dns(DnsKeys.Replace("name: db.example.com", "name: dbexample.com")),
        "understudy.yaml:10:61 services.web.traffic.dns.name: dbexample.com. is not inside zone example.com.");

    [Theory]
    [InlineData("db..example.com", "'db..example.com' has an empty label (two dots in a row, or a leading dot)")]
    [InlineData("db_1.example.com", null)]
    [InlineData("-db.example.com", "'-db' in '-db.example.com' is not a DNS label (letters, digits, hyphens and underscores)")]
    [InlineData("\"db example.com\"", "'db example' in 'db example.com' is not a DNS label (letters, digits, hyphens and underscores)")]
    public void Parse_DnsName_MustBeADomainName(string name, string? error)
    {
        string yaml = Dns(DnsKeys.Replace("name: db.example.com", $"name: {name}"));
        if (error is null) AssertValid(yaml, TsigEnvironment);
        else AssertDnsErrors(yaml, $"understudy.yaml:10:61 services.web.traffic.dns.name: {error}");
    }

    [Fact]
    public void Parse_DnsLabelLongerThan63_IsAnError() => AssertDnsErrors(
        Dns(DnsKeys.Replace("name: db.example.com", $"name: {new string('a', 64)}.example.com")),
        $"understudy.yaml:10:61 services.web.traffic.dns.name: a label has at most 63 characters ('{new string('a', 64)}' has 64)");

    [Fact]
    public void Parse_DnsServerByHostName_IsAnError() => AssertDnsErrors(
        Dns(DnsKeys.Replace("10.0.0.53:53", "ns1.example.com:53")),
        "understudy.yaml:10:22 services.web.traffic.dns.server: expected the DNS server's IP address and port (e.g. 10.0.0.53:53), got the host name in ns1.example.com:53");

    [Fact]
    public void Parse_DnsMemberWithAHostName_IsAnErrorNamingIt() => AssertDnsErrors(
        Dns(DnsKeys).Replace("127.0.0.1:8082", "web-b.internal:8082").Replace("address: 127.0.0.1:8081", "address: 10.1:8081"),
        "understudy.yaml:10:12 services.web.traffic.dns: member web-a's address 10.1:8081 has a host name; the A or AAAA record holds the primary's IP address, so write the member's address as one",
        "understudy.yaml:10:12 services.web.traffic.dns: member web-b's address web-b.internal:8082 has a host name; the A or AAAA record holds the primary's IP address, so write the member's address as one");

    [Fact]
    public void Parse_DnsUnknownAlgorithm_ListsTheKnownOnes() => AssertDnsErrors(
        Dns(DnsKeys.Replace("name: understudy,", "name: understudy, algorithm: hmac-sha3,")),
        "understudy.yaml:10:124 services.web.traffic.dns.tsig.algorithm: expected one of hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1, hmac-md5, got 'hmac-sha3'");

    [Fact]
    public void Parse_DnsTtlNotWholeSeconds_IsAnError() => AssertDnsErrors(
        Dns(DnsKeys.Replace("ttl: 30s", "ttl: 1500ms")),
        "understudy.yaml:10:82 services.web.traffic.dns.ttl: a TTL is whole seconds (got 1500ms)");

    [Fact]
    public void Parse_DnsEmpty_NamesEveryRequiredKey() => AssertDnsErrors(
        Dns("timeout: 0s, tsig: { algorithm: hmac-md5 }"),
        "understudy.yaml:10:12 services.web.traffic.dns.server: required: IP:PORT of the DNS server that takes the updates (the zone's primary), e.g. 10.0.0.53:53",
        "understudy.yaml:10:12 services.web.traffic.dns.zone: required: the zone the name is in, e.g. example.com",
        "understudy.yaml:10:12 services.web.traffic.dns.name: required: the name clients resolve to reach the primary, e.g. db.example.com",
        "understudy.yaml:10:12 services.web.traffic.dns.ttl: required: how long resolvers may cache the record, e.g. 60s (clients may reach the old primary that long after a failover)",
        "understudy.yaml:10:23 services.web.traffic.dns.timeout: must be > 0 (got 0s)",
        "understudy.yaml:10:33 services.web.traffic.dns.tsig.name: required: the key's name, as the server's key clause names it",
        "understudy.yaml:10:33 services.web.traffic.dns.tsig.secret: required: ${ENV_VAR} or file:PATH holding the key's base64 secret");

    [Fact]
    public void Parse_DnsAlone_NeedsARequiredFenceHook()
    {
        string alone = Web($"traffic:\n  dns: {{ {DnsKeys} }}");
        AssertDnsErrors(alone,
            "understudy.yaml:9:7 services.web.traffic: traffic through dns or hooks alone cannot fence the old primary (clients that resolved it, or a platform that failed to switch, still reach it): " +
            "add a required hooks.fence that stops it, or route through traffic.proxy or traffic.haproxy");

        ServiceSpec web = AssertValid(alone + "\n    hooks: { fence: [ { exec: [systemctl, stop, web] } ] }", TsigEnvironment).Services[0];
        Assert.Null(web.Proxy);
        Assert.NotNull(web.TrafficSwitches.Dns);
    }
}
