using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>What a reload would change, and what only a restart can.</summary>
public class ConfigDiffTests
{
    private const string Web = """
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
              - { name: web-b, address: 127.0.0.1:8082 }
            primary: web-a
            traffic: { proxy: { listen: 127.0.0.1:9001 } }
        """;

    private const string Api = """
          api:
            kind: tcp
            members:
              - { name: api-a, address: 127.0.0.1:8091 }
              - { name: api-b, address: 127.0.0.1:8092 }
            primary: api-a
        """;

    private static UnderstudySpec Load(string services, string controller = "  api: 127.0.0.1:7400\n", string extra = "")
    {
        ConfigResult r = ConfigLoader.Parse($"controller:\n{controller}services:\n{services}\n{extra}", "understudy.yaml", Path.GetTempPath(), _ => null);
        Assert.True(r.Spec is not null, string.Join("\n", r.Errors));
        return r.Spec!;
    }

    [Fact]
    public void Of_TheSameFileLoadedTwice_ChangesNothing()
    {
        ConfigDiff diff = ConfigDiff.Of(Load(Web + "\n" + Api), Load(Web + "\n" + Api));

        Assert.True(diff.ChangesNothing);
        Assert.Empty(diff.NotLive);
        Assert.Equal("nothing changed", diff.Summary());
    }

    [Fact]
    public void Of_AddedRemovedAndChangedServices_AreNamedAndTheUnchangedOneIsNot()
    {
        string webFaster = Web + "\n    check: { interval: 500ms, timeout: 200ms, fall: 2 }";
        string cache = Api.Replace("api", "cache").Replace("809", "819");

        ConfigDiff diff = ConfigDiff.Of(Load(Web + "\n" + Api), Load(webFaster + "\n" + cache));

        Assert.Equal<string>(["cache"], diff.Added.Select(s => s.Name));
        Assert.Equal<string>(["api"], diff.Removed);
        Assert.Equal<string>(["web"], diff.Changed.Select(s => s.Name));
        Assert.Empty(diff.Moved);
        Assert.Empty(diff.NotLive);
        Assert.Equal("added cache; removed api; changed web", diff.Summary());
    }

    [Fact]
    public void Of_ProxyListenMoved_IsAChangeWithItsListenerHandedOver()
    {
        ConfigDiff diff = ConfigDiff.Of(Load(Web), Load(Web.Replace("9001", "9002")));

        Assert.Equal<string>(["web"], diff.Changed.Select(s => s.Name));
        Assert.Equal<string>(["web"], diff.Moved);
        Assert.Empty(diff.NotLive);
    }

    [Fact]
    public void Of_WhatOnlyARestartChanges_IsListedByKey()
    {
        ConfigDiff diff = ConfigDiff.Of(Load(Web + "\n" + Api), Load(Web.Replace("kind: http", "kind: tcp") + "\n" + Api + "\n    traffic: { proxy: { listen: 127.0.0.1:9003 } }",
            controller: "  api: 127.0.0.1:7401\n"));

        Assert.Equal<string>(
        [
            "controller.api: changed; a restart applies it",
            "services.web.kind: http → tcp needs a restart (or a new name)",
            "services.api.traffic.proxy: adding the proxy of a running service needs a restart",
        ], diff.NotLive.OrderBy(n => n.StartsWith("controller", StringComparison.Ordinal) ? 0 : n.Contains("web", StringComparison.Ordinal) ? 1 : 2));
    }

    [Fact]
    public void Of_TokensChangedButStillOn_IsLive_TurningThemOnIsNot()
    {
        string Tokens(params string[] names) => "  api: 127.0.0.1:7400\n  auth:\n    tokens:\n" + string.Concat(names.Select(n =>
            $"      - {{ name: {n}, role: admin, token: \"sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(n + "-token-0123456789")))}\" }}\n"));

        ConfigDiff changed = ConfigDiff.Of(Load(Web, Tokens("alice")), Load(Web, Tokens("alice", "bob")));
        ConfigDiff turnedOn = ConfigDiff.Of(Load(Web), Load(Web, Tokens("alice")));

        Assert.True(changed.TokensChanged);
        Assert.Empty(changed.NotLive);
        Assert.Equal<string>(["controller.auth.tokens: turning token authentication on needs a restart"], turnedOn.NotLive);
    }

    [Fact]
    public void Of_AlertChannelsChanged_AreApplied()
    {
        static string Alerts(int port) => $"alerts:\n  - {{ webhook: {{ url: \"http://127.0.0.1:{port}/hook\" }} }}";

        ConfigDiff added = ConfigDiff.Of(Load(Web), Load(Web, extra: Alerts(9)));
        // Only the derived type has the URL: compared by the base type's fields alone, these two would look alike.
        ConfigDiff moved = ConfigDiff.Of(Load(Web, extra: Alerts(9)), Load(Web, extra: Alerts(10)));
        ConfigDiff same = ConfigDiff.Of(Load(Web, extra: Alerts(9)), Load(Web, extra: Alerts(9)));

        Assert.True(added.AlertsChanged);
        Assert.Empty(added.Changed);
        Assert.Equal("alert channels changed", added.Summary());
        Assert.True(moved.AlertsChanged);
        Assert.True(same.ChangesNothing);
    }

    [Fact]
    public void Of_RemovedServiceWithItsOwnChannel_ChangesTheChannels()
    {
        string apiWithAlerts = Api + "\n    alerts:\n      - { webhook: { url: \"http://127.0.0.1:9/hook\" } }";

        ConfigDiff diff = ConfigDiff.Of(Load(Web + "\n" + apiWithAlerts), Load(Web));

        Assert.True(diff.AlertsChanged);
    }

    [Fact]
    public void Of_AServiceWithASentinelListener_IsAddedByARestart()
    {
        const string Sentinel = "\n    traffic:\n      proxy: { listen: 127.0.0.1:9002 }\n      sentinel: { listen: 127.0.0.1:26379 }";
        string redis = Api.Replace("kind: tcp", "kind: redis") + Sentinel;

        ConfigDiff diff = ConfigDiff.Of(Load(Web), Load(Web + "\n" + redis));

        Assert.Equal<string>(["services.api.traffic.sentinel: a service with a Sentinel listener is added by a restart"], diff.NotLive);
    }
}
