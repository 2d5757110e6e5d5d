using Understudy.Core.Drills;
using Understudy.Core.Topology;

namespace Understudy.Tests.Drills.Loading;

/// <summary>A tcp probe's resolver: the name in address is looked up through it on every attempt (traffic.dns drills).</summary>
public partial class DrillLoaderTests
{
    [Fact]
    public void Parse_DnsResolverOnTcp_RoundTripsAndShowsIt()
    {
        ProbeSpec probe = AssertValid(WithProbes("{ name: db, tcp: { address: db.example.com:5432, resolver: 127.0.0.1:53 } }")).Probes[0];

        Assert.Equal(new HostPort("127.0.0.1", 53), probe.Resolver);
        Assert.Equal("db.example.com:5432 (resolved through 127.0.0.1:53)", probe.Shown);
        Assert.Null(AssertValid(WithProbes("{ name: db, tcp: { address: db.example.com:5432 } }")).Probes[0].Resolver);
    }

    [Fact]
    public void Parse_DnsResolverErrors_AreNamed() => AssertErrors(
        WithProbes(
            "{ name: a, tcp: { address: 127.0.0.1:5432, resolver: 127.0.0.1:53 } }",
            "{ name: b, tcp: { address: db.example.com:5432, resolver: ns1.example.com:53 } }",
            "{ name: c, http: { url: \"http://db.example.com/\", resolver: 127.0.0.1:53 } }"),
        "drill.yaml:3:58 probes[0].tcp.resolver: address 127.0.0.1:5432 is an IP address: with a resolver, address names the host to look up (e.g. db.example.com:5432)",
        "drill.yaml:4:63 probes[1].tcp.resolver: expected the resolver's IP address and port (e.g. 127.0.0.1:53), got the host name in ns1.example.com:53",
        "drill.yaml:5:55 probes[2].http.resolver: only for tcp probes (an http probe's host is looked up by the system's resolver)");
}
