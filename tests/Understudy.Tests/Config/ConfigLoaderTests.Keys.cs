using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>Keys: unknown, misspelled, planned for later, duplicated, missing.</summary>
public partial class ConfigLoaderTests
{
    [Fact]
    public void Parse_UnknownTopLevelKey_ListsAcceptedKeys() => AssertErrors(
        Base + "\nlogging: debug",
        "understudy.yaml:8:1 logging: unknown key (accepted: controller, services, alerts, sites, drills)");

    [Fact]
    public void Parse_UnknownNestedKey_ListsAcceptedKeys() => AssertErrors(
        Web("check: { interval: 1s, retries: 3 }"),
        "understudy.yaml:8:28 services.web.check.retries: unknown key (accepted: interval, timeout, fall, rise, path, expect_status, expect_body)");

    [Fact]
    public void Parse_CamelCaseKey_SuggestsSnakeCaseSpelling() => AssertErrors(
        Web("check: { expectStatus: 204 }"),
        "understudy.yaml:8:14 services.web.check.expectStatus: unknown key; did you mean 'expect_status'? (accepted: interval, timeout, fall, rise, path, expect_status, expect_body)");

    [Fact]
    public void Parse_TrafficHooksAlone_NeedARequiredFenceHook() => AssertErrors(
        Web("traffic: { hooks: [ { exec: [kubectl, label, pod, \"{{new_primary}}\", role=primary, --overwrite] } ] }\nhooks: { fence: [ { exec: [audit], required: false } ] }"),
        "understudy.yaml:8:14 services.web.traffic: traffic through dns or hooks alone cannot fence the old primary (clients that resolved it, or a platform that " +
        "failed to switch, still reach it): add a required hooks.fence that stops it, or route through traffic.proxy or traffic.haproxy");

    [Fact]
    public void Parse_TrafficHooks_TakeTheNewPrimarysAddressButNoUnknownPlaceholder() => AssertErrors(
        Web("traffic: { proxy: { listen: 127.0.0.1:9000 }, hooks: [ { exec: [switch, \"{{new_primary_address}}\", \"{{member}}\"] } ] }"),
        "understudy.yaml:8:104 services.web.traffic.hooks[0].exec[2]: unknown placeholder '{{member}}' (allowed: {{service}}, {{old_primary}}, {{new_primary}}, {{epoch}}, " +
        "{{new_primary_address}}, {{new_primary_host}}, {{new_primary_port}}, {{old_primary_address}})");

    [Fact]
    public void Parse_TrafficHooksWithARequiredFenceHook_Accepted()
    {
        ServiceSpec web = AssertValid(Web("traffic: { hooks: [ { exec: [fly, machine, start, \"{{new_primary}}\"], timeout: 20s } ] }\nhooks: { fence: [ { exec: [fly, machine, stop, \"{{old_primary}}\"] } ] }")).Services.Single();
        Assert.Null(web.Proxy);
        Assert.Equal(TimeSpan.FromSeconds(20), Assert.Single(web.TrafficSwitches.Hooks).Timeout);
        Assert.True(web.Hooks.Fence.Single().Required);
    }

    [Fact]
    public void Parse_DuplicateKey_PointsAtTheSecondAndNamesTheFirst() => AssertErrors(
        Web("check: { fall: 2 }\ncheck: { fall: 0 }"),
        "understudy.yaml:9:5 services.web.check: duplicate key; 'check' is already set at line 8");

    [Fact]
    public void Parse_DuplicateKeyInSequenceItem_NamesItsPath() => AssertErrors(
        Web("hooks:\n  on_failover:\n    - { exec: [a], exec: [b] }"),
        "understudy.yaml:10:24 services.web.hooks.on_failover[0].exec: duplicate key; 'exec' is already set at line 10");

    [Fact]
    public void Parse_ServiceNamedTwice_IsADuplicateKey() => AssertErrors(
        Base + "\n" + Base.Replace("services:\n", ""),
        "understudy.yaml:8:3 services.web: duplicate key; 'web' is already set at line 2");

    [Fact]
    public void Parse_MissingServices_PointsAtTheTopOfTheFile() => AssertErrors(
        "controller:\n  api: 127.0.0.1:7400\n",
        "understudy.yaml:1:1 services: required: a mapping of service names to services");

    [Fact]
    public void Parse_NoServices_SaysOneIsRequired() => AssertErrors(
        "services: {}",
        "understudy.yaml:1:11 services: at least one service is required");

    [Fact]
    public void Parse_MissingRequiredServiceKeys_PointAtTheServiceMapping() => AssertErrors("""
        services:
          web:
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
              - { name: web-b, address: 127.0.0.1:8082 }
        """,
        "understudy.yaml:3:5 services.web.kind: required: http, tcp, postgres or redis",
        "understudy.yaml:3:5 services.web.primary: required: the name of the member that starts as primary");

    [Fact]
    public void Parse_ProxyWithoutListen_SaysListenIsRequired() => AssertErrors(
        Web("traffic:\n  proxy:\n    hold: 2s"),
        "understudy.yaml:10:9 services.web.traffic.proxy.listen: required: host:port for clients to connect to");
}
