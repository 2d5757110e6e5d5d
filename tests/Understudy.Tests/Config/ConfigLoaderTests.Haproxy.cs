using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>traffic.haproxy: one instance or several, its defaults and each error.</summary>
public partial class ConfigLoaderTests
{
    [Fact]
    public void Parse_HaproxySocket_DefaultsServersToMemberNamesAndTimeoutTo2s()
    {
        ServiceSpec web = AssertValid(Web("traffic: { haproxy: { socket: /run/haproxy/admin.sock, backend: web } }")).Services[0];

        HaproxySpec h = Assert.Single(web.TrafficSwitches.Haproxy);
        Assert.Equal(("/run/haproxy/admin.sock", (HostPort?)null, "web", TimeSpan.FromSeconds(2)), (h.Socket, h.Address, h.Backend, h.Timeout));
        Assert.Empty(h.Servers);
        Assert.Equal("web-a", h.ServerOf("web-a"));
        Assert.True(h.ShutdownSessions);
        Assert.True(web.TrafficSwitches.CanFence);
        Assert.Null(web.Proxy);
    }

    [Fact]
    public void Parse_HaproxyShutdownSessionsOff_IsKept()
    {
        ServiceSpec web = AssertValid(Web("traffic: { haproxy: { socket: /run/haproxy/admin.sock, backend: web, shutdown_sessions: false } }")).Services[0];

        Assert.False(Assert.Single(web.TrafficSwitches.Haproxy).ShutdownSessions);
    }

    [Fact]
    public void Parse_HaproxySequence_ReadsEachInstanceWithItsServers()
    {
        ServiceSpec web = AssertValid(Web("""
            traffic:
              proxy: { listen: 127.0.0.1:9000 }
              haproxy:
                - { address: 127.0.0.1:9999, backend: be_web, servers: { web-a: srv1, web-b: srv2 }, timeout: 500ms }
                - { socket: run/h2.sock, backend: web }
            """)).Services[0];

        Assert.Equal(2, web.TrafficSwitches.Haproxy.Length);
        HaproxySpec first = web.TrafficSwitches.Haproxy[0];
        Assert.Equal((new HostPort("127.0.0.1", 9999), "be_web", TimeSpan.FromMilliseconds(500)), (first.Address!.Value, first.Backend, first.Timeout));
        Assert.Equal(("srv1", "srv2"), (first.ServerOf("web-a"), first.ServerOf("web-b")));
        Assert.Equal("127.0.0.1:9999", first.Where);
        Assert.Equal(Path.Combine(Folder, "run/h2.sock"), web.TrafficSwitches.Haproxy[1].Socket);
        Assert.NotNull(web.Proxy);
    }

    [Fact]
    public void Parse_HaproxyBothSocketAndAddress_IsAnError() => AssertErrors(
        Web("traffic: { haproxy: { socket: /run/h.sock, address: 127.0.0.1:9999, backend: web } }"),
        "understudy.yaml:8:48 services.web.traffic.haproxy.address: give exactly one of socket (the path of HAProxy's stats socket, level admin) and address (its host:port)");

    [Fact]
    public void Parse_HaproxyNeitherSocketNorAddress_IsAnError() => AssertErrors(
        Web("traffic: { haproxy: { backend: web } }"),
        "understudy.yaml:8:25 services.web.traffic.haproxy: give exactly one of socket (the path of HAProxy's stats socket, level admin) and address (its host:port)");

    [Fact]
    public void Parse_HaproxyWithoutBackend_IsRequired() => AssertErrors(
        Web("traffic: { haproxy: { socket: /run/h.sock } }"),
        "understudy.yaml:8:25 services.web.traffic.haproxy.backend: required: the name of the HAProxy backend whose servers are the members");

    [Fact]
    public void Parse_HaproxyServersOfAnUnknownMember_NamesTheMembers() => AssertErrors(
        Web("traffic: { haproxy: { socket: /run/h.sock, backend: web, servers: { web-c: srv3 } } }"),
        "understudy.yaml:8:73 services.web.traffic.haproxy.servers.web-c: 'web-c' is not a member of this service (members: web-a, web-b)");

    [Fact]
    public void Parse_HaproxyBadValues_AreEachReported() => AssertErrors(
        Web("traffic: { haproxy: [ { address: 127.0.0.1:0, backend: 'we b', servers: { web-a: s/1, web-b: srv }, timeout: 0s, level: admin } ] }"),
        "understudy.yaml:8:38 services.web.traffic.haproxy[0].address: port must be a number from 1 to 65535, got '0'",
        "understudy.yaml:8:60 services.web.traffic.haproxy[0].backend: expected a backend name without blanks, '/', ';', '#' or control characters (got 'we b')",
        "understudy.yaml:8:86 services.web.traffic.haproxy[0].servers.web-a: expected a server name without blanks, '/', ';', '#' or control characters (got 's/1')",
        "understudy.yaml:8:114 services.web.traffic.haproxy[0].timeout: must be > 0 (got 0s)",
        "understudy.yaml:8:118 services.web.traffic.haproxy[0].level: unknown key (accepted: socket, address, backend, servers, timeout, shutdown_sessions)");

    [Fact]
    public void Parse_HaproxyTwoMembersOnOneServer_IsAnError() => AssertErrors(
        Web("traffic: { haproxy: { socket: /run/h.sock, backend: web, servers: { web-a: srv, web-b: srv } } }"),
        "understudy.yaml:8:92 services.web.traffic.haproxy.servers.web-b: server 'srv' is already member web-a's: two members cannot share one server");

    [Fact]
    public void Parse_HaproxyEmptyOrNull_AreErrors() => AssertErrors(
        Web("traffic:\n  haproxy: []\n  hooks: []\n") + "\n  other:\n" + Base.Split("services:\n")[1].Replace("  web:", "").Replace("web-", "o-").Replace("808", "909") + "\n    traffic: { haproxy: }",
        "understudy.yaml:9:16 services.web.traffic.haproxy: expected at least one HAProxy instance",
        "understudy.yaml:19:25 services.other.traffic.haproxy: expected a mapping, got nothing");

    [Fact]
    public void Parse_HaproxyServersNotAMapping_IsAnError() => AssertErrors(
        Web("traffic: { haproxy: { socket: /run/h.sock, backend: web, servers: [web-a] } }"),
        "understudy.yaml:8:71 services.web.traffic.haproxy.servers: expected a mapping of member names to server names, e.g. { web-a: srv1 }, got a sequence");
}
