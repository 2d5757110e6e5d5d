namespace Understudy.Bench;

/// <summary>Understudy and HAProxy set up alike: checks every <c>checkMs</c> (100 ms unless a bench says otherwise), down after 2 failures.</summary>
internal static class Configs
{
    public static string Understudy(int a, int b, int listen, int api, string mode, int checkMs) =>
        $"controller: {{ api: 127.0.0.1:{api}, journal: journal.db }}\n"
        + Service(a, b, listen, mode, $"{{ interval: {checkMs}ms, timeout: {checkMs * 4 / 5}ms, fall: 2, rise: 1 }}", cooldown: "30s", hold: "5s");

    /// <summary>The <c>services:</c> section: <c>web</c> on the two apps (web-a primary), with that check, cooldown and proxy.</summary>
    public static string Service(int a, int b, int listen, string mode, string check, string cooldown, string hold) => $$"""
        services:
          web:
            kind: {{mode}}
            members:
              - { name: web-a, address: 127.0.0.1:{{a}} }
              - { name: web-b, address: 127.0.0.1:{{b}} }
            primary: web-a
            check: {{check}}
            failover: { mode: automatic, cooldown: {{cooldown}} }
            traffic:
              proxy: { listen: 127.0.0.1:{{listen}}, hold: {{hold}} }
        """;

    /// <summary>
    /// The anchor measurements' HAProxy setting: inter 100ms fall 2 rise 1 (HAProxy's check timeout is inter), a backup server, option redispatch; and the
    /// runtime API on a Unix socket, which is how HAProxy users switch servers by hand.
    /// </summary>
    public static string Haproxy(int a, int b, int listen, string mode, int checkMs, string socket) => $$"""
        global
          maxconn 8000
          stats socket {{socket}} mode 600 level admin
        defaults
          mode {{mode}}
          timeout connect 1s
          timeout client 30s
          timeout server 30s
          retries 3
          option redispatch
        frontend fe
          bind 127.0.0.1:{{listen}}
          default_backend be
        backend be
          {{(mode == "http" ? "option httpchk GET /health" : "")}}
          server web-a 127.0.0.1:{{a}} check inter {{checkMs}}ms fall 2 rise 1
          server web-b 127.0.0.1:{{b}} check inter {{checkMs}}ms fall 2 rise 1 backup
        """;
}
