namespace Understudy.Bench;

/// <summary>
/// The scale bench's anchor: HAProxy checking the same members as the controller, alike — a listener per service, each
/// member checked with <c>GET /health</c> every second on a new connection, 500 ms timeout, fall 3 rise 2.
/// </summary>
internal static class ScaleHaproxy
{
    /// <summary>maxconn 4000: HAProxy asks for about twice that in descriptors, and this host allows a process 20,000.</summary>
    public static string Config(IReadOnlyList<(int A, int B, int Listen)> services)
    {
        var text = new System.Text.StringBuilder("""
            global
              maxconn 4000
            defaults
              mode http
              timeout connect 500ms
              timeout client 30s
              timeout server 30s
              timeout check 500ms

            """);
        for (int i = 0; i < services.Count; i++)
        {
            var (a, b, listen) = services[i];
            text.Append($"""
                listen svc-{i:0000}
                  bind 127.0.0.1:{listen}
                  option httpchk GET /health
                  server a 127.0.0.1:{a} check inter 1s fall 3 rise 2
                  server b 127.0.0.1:{b} check inter 1s fall 3 rise 2

                """);
        }
        return text.ToString(); // ends with a line feed: HAProxy refuses a last line without one
    }
}
