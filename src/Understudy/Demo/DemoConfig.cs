namespace Understudy.Demo;

/// <summary>The demo's built-in config: two sample apps behind the proxy, fast checks, one hook.</summary>
internal static class DemoConfig
{
    public static string Yaml(int portA, int portB, int proxyPort, int apiPort, string journal) => $$$"""
        controller:
          api: 127.0.0.1:{{{apiPort}}}
          journal: {{{journal}}}
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:{{{portA}}} }
              - { name: web-b, address: 127.0.0.1:{{{portB}}} }
            primary: web-a
            check: { path: /health, expect_status: 200, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }
            failover: { mode: automatic, cooldown: 30s }
            traffic:
              proxy: { listen: 127.0.0.1:{{{proxyPort}}}, hold: 5s }
            hooks:
              on_failover: [ { exec: [echo, "{{service}} moved from {{old_primary}} to {{new_primary}} in epoch {{epoch}}"], timeout: 5s } ]
            targets: { rto: 5s, rpo: 0 }
        """;
}
