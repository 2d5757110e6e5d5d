using Understudy.Demo;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures.Dns;

/// <summary>
/// An http service whose name is kept on <see cref="BindServer"/> by traffic.dns, beside the built-in proxy: web-a's
/// sample app on 127.0.0.1, web-b's on 127.0.0.2 (through a <see cref="LoopbackRelay"/>), so the A record says which
/// is primary; and its controller, healthy. Stopped in reverse order.
/// </summary>
public sealed class DnsWebPair : IAsyncDisposable
{
    /// <summary>The name traffic.dns keeps: web in the server's zone.</summary>
    public const string Name = "web.example.test";

    private readonly TempDir _dir = new();
    private LoopbackRelay? _relay;

    public SampleAppProcess A { get; private set; } = null!;
    public SampleAppProcess? B { get; private set; }
    public ControllerProcess Controller { get; private set; } = null!;

    /// <summary>The port both members listen on (web-a on 127.0.0.1, web-b on 127.0.0.2): a record carries no port.</summary>
    public int Port { get; private set; }

    /// <param name="secret">traffic.dns.tsig.secret as written in the config, e.g. <c>file:</c> the server's key file.</param>
    public static async Task<DnsWebPair> StartAsync(BindServer bind, string secret)
    {
        var s = new DnsWebPair();
        try
        {
            int api = FreePort.Next(), proxy = FreePort.Next(), portB = FreePort.Next();
            s.Port = FreePort.Next();
            s.A = await SampleAppProcess.StartAsync("web-a", s.Port, Eventually.Deadline);
            // web-b's app listens on 127.0.0.1 on a port of its own; the relay gives it 127.0.0.2 and the shared port.
            s.B = await SampleAppProcess.StartAsync("web-b", portB, Eventually.Deadline);
            s._relay = LoopbackRelay.Start("127.0.0.2", s.Port, portB);
            string config = s._dir.File("understudy.yaml");
            await File.WriteAllTextAsync(config, $$"""
                controller:
                  api: 127.0.0.1:{{api}}
                  journal: journal.db
                services:
                  web:
                    kind: http
                    members:
                      - { name: web-a, address: "127.0.0.1:{{s.Port}}" }
                      - { name: web-b, address: "{{s._relay.Address}}" }
                    primary: web-a
                    check: { path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }
                    failover: { mode: automatic, cooldown: 0s }
                    traffic:
                      proxy: { listen: "127.0.0.1:{{proxy}}", hold: 5s }
                      dns: { server: "{{bind.Address}}", zone: {{bind.Zone}}, name: {{Name}}, ttl: {{bind.Ttl}}s, tsig: { name: {{bind.KeyName}}, secret: "{{secret}}" } }
                """);
            s.Controller = await ControllerProcess.StartAsync(config, api);
            await Eventually.TrueAsync(async () => (await s.Controller.ServiceAsync("web")).Members.All(m => m.Health == "up"), "both members up");
            return s;
        }
        catch
        {
            await s.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Controller is not null) await Controller.DisposeAsync();
        A?.Dispose();
        B?.Dispose();
        if (_relay is not null) await _relay.DisposeAsync();
        _dir.Dispose();
    }
}
