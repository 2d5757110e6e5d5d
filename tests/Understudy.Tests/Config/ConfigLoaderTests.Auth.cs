using System.Security.Cryptography;
using System.Text;
using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>controller.auth.tokens, failover approvals and the proxy's drain.</summary>
public partial class ConfigLoaderTests
{
    private const string AliceToken = "alice-token-0123456789";

    private static string WithTokens(string tokens, string api = "127.0.0.1:7400") => $$"""
        controller:
          api: {{api}}
          auth:
            tokens:
        {{string.Join("\n", tokens.Split('\n').Select(l => "      " + l))}}
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
              - { name: web-b, address: 127.0.0.1:8082 }
            primary: web-a
        """;

    [Fact]
    public void Parse_Tokens_FromEnvironmentAndHash_KeepOnlyTheirHashes()
    {
        string bobHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("bob-token-0123456789"))).ToLowerInvariant();
        UnderstudySpec spec = AssertValid(WithTokens($$"""
            - { name: alice, role: operator, token: "${ALICE_TOKEN}" }
            - { name: bob, role: approver, token: "sha256:{{bobHash}}" }
            """), new() { ["ALICE_TOKEN"] = AliceToken });

        Assert.Equal([("alice", ApiRole.Operator), ("bob", ApiRole.Approver)], spec.Controller.AuthTokens.Select(t => (t.Name, t.Role)));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(AliceToken)), spec.Controller.AuthTokens[0].Sha256.ToArray());
        Assert.Equal(Convert.FromHexString(bobHash), spec.Controller.AuthTokens[1].Sha256.ToArray());
        Assert.DoesNotContain(AliceToken, spec.Controller.ToString());
    }

    [Fact]
    public void Parse_InlineToken_IsRefusedWithoutQuotingIt()
    {
        ConfigResult result = Parse(WithTokens("- { name: alice, role: operator, token: supersecretvalue123 }"));

        Assert.Equal(["understudy.yaml:5:47 controller.auth.tokens[0].token: a token must not be written in the file: use ${ENV_VAR}, file:PATH or sha256:HEX"],
            result.Errors.Select(e => e.ToString()));
        Assert.DoesNotContain("supersecretvalue123", result.Errors[0].ToString());
    }

    [Fact]
    public void Parse_BadTokens_NameEachProblem() => Assert.Equal(
        [
            "understudy.yaml:5:47 controller.auth.tokens[0].token: the token is 5 characters long; use at least 16 (e.g. `openssl rand -base64 24`)",
            "understudy.yaml:6:28 controller.auth.tokens[1].role: expected one of viewer, operator, approver, admin, got 'root'",
            "understudy.yaml:7:17 controller.auth.tokens[2].name: 'controller' is reserved for the controller's own journal entries",
            "understudy.yaml:8:44 controller.auth.tokens[3].token: expected sha256: followed by 64 hex digits (e.g. from `printf %s \"$TOKEN\" | sha256sum`)",
            "understudy.yaml:10:44 controller.auth.tokens[5].token: the same token as erin's: each person needs their own, so the journal names who acted",
        ],
        Parse(WithTokens("""
            - { name: alice, role: operator, token: "${SHORT}" }
            - { name: bob, role: root, token: "${ALICE}" }
            - { name: controller, role: admin, token: "${ALICE}" }
            - { name: carol, role: admin, token: "sha256:abc" }
            - { name: erin, role: viewer, token: "${ALICE}" }
            - { name: dave, role: viewer, token: "${ALICE}" }
            """), new() { ["SHORT"] = "short", ["ALICE"] = AliceToken }).Errors.Select(e => e.ToString()));

    [Fact]
    public void Parse_ApiOffLoopbackWithoutTokens_IsRefused() => AssertErrors(
        Base.Replace("services:", "controller: { api: 0.0.0.0:7400 }\nservices:"),
        "understudy.yaml:1:20 controller.api: 0.0.0.0:7400 is reachable from other machines, so the API needs controller.auth.tokens (or listen on 127.0.0.1)");

    [Fact]
    public void Parse_ApprovalsAndDrain_AreRead()
    {
        string yaml = WithTokens("""- { name: alice, role: operator, token: "${ALICE_TOKEN}" }""") + "\n    failover: { mode: manual, approvals: 2, approval_timeout: 5m }\n    traffic: { proxy: { listen: 127.0.0.1:9000, drain_timeout: 2s } }";
        UnderstudySpec spec = AssertValid(yaml, new() { ["ALICE_TOKEN"] = AliceToken });

        ServiceSpec web = spec.Services[0];
        Assert.Equal((2, TimeSpan.FromMinutes(5)), (web.Failover.Approvals, web.Failover.ApprovalWindow));
        Assert.Equal(TimeSpan.FromSeconds(2), web.Proxy!.Drain);
        Assert.Equal((0, TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(2)),
            (AssertValid(Web("traffic: { proxy: { listen: 127.0.0.1:9000 } }")).Services[0].Failover.Approvals,
             AssertValid(Base).Services[0].Failover.ApprovalWindow, AssertValid(Web("traffic: { proxy: { listen: 127.0.0.1:9000 } }")).Services[0].Proxy!.Drain));
    }

    [Fact]
    public void Parse_DrainDefault_StaysWithinHalfTheHold() =>
        Assert.Equal(TimeSpan.FromMilliseconds(500), AssertValid(Web("traffic: { proxy: { listen: 127.0.0.1:9000, hold: 1s } }")).Services[0].Proxy!.Drain);

    [Fact]
    public void Parse_DrainNotBelowHold_IsRefused() => AssertErrors(
        Web("traffic: { proxy: { listen: 127.0.0.1:9000, hold: 5s, drain_timeout: 5s } }"),
        "understudy.yaml:8:74 services.web.traffic.proxy.drain_timeout: must be below hold (5s): connections held during a switchover's drain would be closed before the switch");

    [Fact]
    public void Parse_ApprovalsWithoutTokens_AreRefused() => AssertErrors(
        Web("failover: { approvals: 1 }"),
        "understudy.yaml:1:1 services.web.failover.approvals: 1 approval needs controller.auth.tokens, so that each approver is a named person");

    [Fact]
    public void Parse_NegativeApprovals_IsRefused() => AssertErrors(
        Web("failover: { approvals: -1 }"),
        "understudy.yaml:8:28 services.web.failover.approvals: must be from 0 to 10 (got -1)");
}
