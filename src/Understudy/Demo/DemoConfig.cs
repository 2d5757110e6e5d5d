namespace Understudy.Demo;

/// <summary>The demo's built-in config (two sample apps behind the proxy, fast checks, one hook) and its drill.</summary>
internal static class DemoConfig
{
    public static string Drill(int proxyPort, int apiPort) => $$$"""
        name: demo primary crash
        description: SIGKILL web-a under client load and measure what clients saw
        service: web
        controller: http://127.0.0.1:{{{apiPort}}}
        targets: { rto: 5s, rpo: 0, availability: 99.0 }
        probes:
          - { name: web, http: { url: "http://127.0.0.1:{{{proxyPort}}}/", interval: 20ms, timeout: 2s } }
          - { name: writes, http_write: { url: "http://127.0.0.1:{{{proxyPort}}}/writes", interval: 20ms, timeout: 2s } }
        steady_state: { duration: 2s, max_error_rate: 0 }
        faults:
          - kill_process: { member: web-a, signal: KILL }
        recovery: { timeout: 20s, stable_for: 2s }
        verify:
          - alert_received: { within: 10s }
        """;

    public static string Yaml(int portA, int portB, int proxyPort, int apiPort, string journal) => $$$"""
        controller:
          api: 127.0.0.1:{{{apiPort}}}
          journal: {{{journal}}}
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:{{{portA}}}, pidfile: web-a.pid }
              - { name: web-b, address: 127.0.0.1:{{{portB}}}, pidfile: web-b.pid }
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
