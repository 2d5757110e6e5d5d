using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>traffic.sentinel: the listener Sentinel-aware Redis clients ask; its defaults and each error.</summary>
public partial class ConfigLoaderTests
{
    /// <summary>Base as a tcp service: service keys from line 8 on.</summary>
    private static string Tcp(string serviceLines) => Web(serviceLines).Replace("kind: http", "kind: tcp");

    [Fact]
    public void Parse_SentinelWithoutProxy_DefaultsToTheServiceNameAndAnswerMember()
    {
        ServiceSpec web = AssertValid(Tcp("traffic: { sentinel: { listen: 127.0.0.1:26379 } }")).Services[0];

        Assert.Equal(new SentinelSpec(new HostPort("127.0.0.1", 26379), "web", SentinelAnswer.Member), web.Sentinel);
        Assert.Null(web.Proxy);
    }

    [Fact]
    public void Parse_SentinelBesideAProxy_DefaultsToAnswerProxy()
    {
        ServiceSpec web = AssertValid(Tcp("traffic:\n  proxy: { listen: 127.0.0.1:6380 }\n  sentinel: { listen: 127.0.0.1:26379, name: mymaster }")).Services[0];

        Assert.Equal(new SentinelSpec(new HostPort("127.0.0.1", 26379), "mymaster", SentinelAnswer.Proxy), web.Sentinel);
    }

    [Fact]
    public void Parse_SentinelOnRedis_AnswerMemberBesideAProxy_RoundTrips()
    {
        ServiceSpec cache = AssertValid(Redis("traffic:\n  proxy: { listen: 127.0.0.1:6390 }\n  sentinel: { listen: 127.0.0.1:26379, name: MyMaster.1, answer: member }")).Services[0];

        Assert.Equal(new SentinelSpec(new HostPort("127.0.0.1", 26379), "MyMaster.1", SentinelAnswer.Member), cache.Sentinel);
    }

    [Fact]
    public void Parse_NoSentinel_IsNull() => Assert.Null(AssertValid(Tcp("traffic: { proxy: { listen: 127.0.0.1:6380 } }")).Services[0].Sentinel);

    [Fact]
    public void Parse_SentinelOnHttp_IsOnlyForRedisAndTcp() => AssertErrors(
        Web("traffic: { sentinel: { listen: 127.0.0.1:26379 } }"),
        "understudy.yaml:8:16 services.web.traffic.sentinel: only for kinds redis and tcp (this service is http)");

    [Fact]
    public void Parse_SentinelAnswerProxyWithoutAProxy_IsAnError() => AssertErrors(
        Tcp("traffic: { sentinel: { listen: 127.0.0.1:26379, answer: proxy } }"),
        "understudy.yaml:8:61 services.web.traffic.sentinel.answer: proxy needs traffic.proxy, which this service does not have; use answer: member to send clients to the primary itself");

    [Fact]
    public void Parse_SentinelWithoutListen_IsRequired() => AssertErrors(
        Tcp("traffic: { sentinel: { name: mymaster } }"),
        "understudy.yaml:8:26 services.web.traffic.sentinel.listen: required: host:port for Sentinel-aware clients to ask");

    [Fact]
    public void Parse_SentinelNull_IsAListenerWithoutItsAddress() => AssertErrors(
        Tcp("traffic: { sentinel: }"),
        "understudy.yaml:8:26 services.web.traffic.sentinel: expected a mapping, got nothing");

    [Fact]
    public void Parse_SentinelBadValues_AreEachReported() => AssertErrors(
        Tcp("traffic: { sentinel: { listen: 127.0.0.1:0, name: 'my master', answer: client, port: 1 } }"),
        "understudy.yaml:8:36 services.web.traffic.sentinel.listen: port must be a number from 1 to 65535, got '0'",
        "understudy.yaml:8:55 services.web.traffic.sentinel.name: expected a master name without spaces or control characters, such as mymaster (got 'my master')",
        "understudy.yaml:8:76 services.web.traffic.sentinel.answer: expected one of proxy, member, got 'client'",
        "understudy.yaml:8:84 services.web.traffic.sentinel.port: unknown key (accepted: listen, name, answer)");

    [Fact]
    public void Parse_SentinelOnTheProxysAddress_IsAlreadyUsed() => AssertErrors(
        Tcp("traffic:\n  proxy: { listen: 127.0.0.1:6380 }\n  sentinel: { listen: 127.0.0.1:6380 }"),
        "understudy.yaml:10:27 services.web.traffic.sentinel.listen: 127.0.0.1:6380 is already used by services.web.traffic.proxy.listen");

    [Fact]
    public void Parse_SentinelOnAMembersAddress_IsAlreadyUsed() => AssertErrors(
        Tcp("traffic: { sentinel: { listen: 127.0.0.1:8082 } }"),
        "understudy.yaml:8:36 services.web.traffic.sentinel.listen: 127.0.0.1:8082 is already used by services.web.members[1].address (member web-b)");
}
