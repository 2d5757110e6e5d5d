namespace Understudy.Tests.Config;

/// <summary>Names and references: members, primary, listen addresses across services.</summary>
public partial class ConfigLoaderTests
{
    private const string TwoServices = """
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
              - { name: web-b, address: 127.0.0.1:8082 }
            primary: web-a
            traffic: { proxy: { listen: 127.0.0.1:9000 } }
          api:
            kind: tcp
            members:
              - { name: api-a, address: 127.0.0.1:8091 }
              - { name: api-b, address: 127.0.0.1:8092 }
            primary: api-a
            traffic: { proxy: { listen: 127.0.0.1:9001 } }
        """;

    [Fact]
    public void Parse_DuplicateMemberNames_PointAtTheSecond() => AssertErrors(
        Base.Replace("name: web-b", "name: web-a"),
        "understudy.yaml:6:17 services.web.members[1].name: duplicate member name 'web-a' (first at line 5)");

    [Fact]
    public void Parse_DuplicateMemberAddress_NamesTheMemberThatHasIt() => AssertErrors(
        Base.Replace("127.0.0.1:8082", "127.0.0.1:8081"),
        "understudy.yaml:6:33 services.web.members[1].address: 127.0.0.1:8081 is already the address of member web-a");

    [Fact]
    public void Parse_BadMemberName_GivesTheNamingRule() => AssertErrors(
        Base.Replace("name: web-b", "name: Web_B"),
        "understudy.yaml:6:17 services.web.members[1].name: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'Web_B')");

    [Fact]
    public void Parse_BadServiceName_GivesTheNamingRule() => AssertErrors(
        Base.Replace("  web:", "  Web:"),
        "understudy.yaml:2:3 services.Web: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'Web')");

    [Fact]
    public void Parse_OneMember_NeedsTwoForAFailover() => AssertErrors("""
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
            primary: web-a
        """,
        "understudy.yaml:5:7 services.web.members: a failover needs at least two members (got 1)");

    [Fact]
    public void Parse_PrimaryNotAMember_ListsTheMembers() => AssertErrors(
        Base.Replace("primary: web-a", "primary: web-c"),
        "understudy.yaml:7:14 services.web.primary: 'web-c' is not a member of this service (members: web-a, web-b)");

    [Fact]
    public void Parse_SameListenInTwoServices_PointsAtTheSecond() => AssertErrors(
        TwoServices.Replace("9001", "9000"),
        "understudy.yaml:15:33 services.api.traffic.proxy.listen: 127.0.0.1:9000 is already used by services.web.traffic.proxy.listen");

    [Fact]
    public void Parse_ListenOnTheDefaultApiAddress_IsRefused() => AssertErrors(
        TwoServices.Replace("9001", "7400"),
        "understudy.yaml:15:33 services.api.traffic.proxy.listen: 127.0.0.1:7400 is already used by controller.api (the default)");

    [Fact]
    public void Parse_ListenOnTheConfiguredApiAddress_IsRefused() => AssertErrors(
        "controller: { api: 127.0.0.1:9001 }\n" + TwoServices,
        "understudy.yaml:16:33 services.api.traffic.proxy.listen: 127.0.0.1:9001 is already used by controller.api");

    [Fact]
    public void Parse_ListenOnAMemberAddress_NamesTheMember() => AssertErrors(
        TwoServices.Replace("9001", "8082"),
        "understudy.yaml:15:33 services.api.traffic.proxy.listen: 127.0.0.1:8082 is already used by services.web.members[1].address (member web-b)");

    [Fact]
    public void Parse_TwoServicesWithDistinctAddresses_AreBothBuilt() =>
        Assert.Equal(["web", "api"], AssertValid(TwoServices).Services.Select(s => s.Name));
}
