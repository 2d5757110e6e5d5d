using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Understudy.Api;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

/// <summary>
/// <c>understudy reload</c> and SIGHUP against a real <c>serve</c>: services added, removed and changed, a token
/// changed, connections through unchanged and changed services kept open, an invalid file refused.
/// </summary>
[Collection(RealProcesses.Name)]
public class ReloadTests
{
    private const string AliceToken = "alice-token-0123456789", BobToken = "bob-token-0123456789", CarolToken = "carol-token-0123456789";

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Four services over the pair's two sample apps, each with its own proxy port; <paramref name="services"/> picks and shapes them.</summary>
    private static string Config(WebPair pair, string[] tokens, params string[] services) => $$"""
        controller:
          api: 127.0.0.1:{{pair.ApiPort}}
          journal: journal.db
          auth:
            tokens:
        {{string.Concat(tokens.Select(t => $"      - {{ name: {t.Split('-')[0]}, role: admin, token: \"sha256:{Hash(t)}\" }}\n"))}}
        services:
        {{string.Join("\n", services)}}
        """;

    private static string Service(WebPair pair, string name, int proxyPort, int fall = 3) => $$"""
          {{name}}:
            kind: http
            members:
              - { name: {{name}}-a, address: 127.0.0.1:{{pair.PortA}} }
              - { name: {{name}}-b, address: 127.0.0.1:{{pair.PortB}} }
            primary: {{name}}-a
            check: { path: /health, interval: 200ms, timeout: 150ms, fall: {{fall}}, rise: 2 }
            failover: { mode: automatic, cooldown: 0s }
            traffic:
              proxy: { listen: 127.0.0.1:{{proxyPort}}, hold: 5s }
        """;

    [Fact]
    public async Task Reload_AddsRemovesAndChangesServices_ChangesAToken_AndKeepsOpenConnections()
    {
        await using var pair = await WebPair.StartAsync();
        int webPort = FreePort.Next(), apiPort = FreePort.Next(), apiMoved = FreePort.Next(), gonePort = FreePort.Next(), freshPort = FreePort.Next();
        await File.WriteAllTextAsync(pair.Config, Config(pair, [AliceToken, CarolToken],
            Service(pair, "web", webPort), Service(pair, "api", apiPort), Service(pair, "gone", gonePort)));
        await using var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort, AliceToken);
        await Eventually.TrueAsync(async () => (await controller.TryStatusAsync())!.Services.All(s => s.Members.All(m => m.Health == "up")), "every member up");
        using var throughWeb = await KeepAlive.OpenAsync(webPort);
        using var throughApi = await KeepAlive.OpenAsync(apiPort);
        using var throughGone = await KeepAlive.OpenAsync(gonePort);

        // web unchanged; api's threshold changed and its proxy moved; gone removed; fresh added; carol's token swapped for bob's.
        await File.WriteAllTextAsync(pair.Config, Config(pair, [AliceToken, BobToken],
            Service(pair, "web", webPort), Service(pair, "api", apiMoved, fall: 5), Service(pair, "fresh", freshPort)));
        var reload = await CliRunner.RunAsync(new Dictionary<string, string> { ["UNDERSTUDY_TOKEN"] = AliceToken }, "reload", "-c", pair.Config);

        Assert.True(reload.ExitCode == 0, reload.Err + reload.Out);
        Assert.Contains("added fresh; removed gone; changed api; listener moved for api; API tokens changed", reload.Out);
        StatusView status = (await controller.TryStatusAsync())!;
        Assert.Equal(["api", "fresh", "web"], status.Services.Select(s => s.Name).Order());
        Assert.Equal(5, status.Services.Single(s => s.Name == "api").Settings.Fall);
        Assert.Equal($"127.0.0.1:{apiMoved}", status.Services.Single(s => s.Name == "api").Proxy!.Listen);
        // The connections through the unchanged and the changed service were never cut; the removed one's was.
        Assert.Equal(HttpStatusCode.OK, await throughWeb.GetAsync());
        Assert.Equal(HttpStatusCode.OK, await throughApi.GetAsync());
        await Assert.ThrowsAsync<IOException>(throughGone.GetAsync);
        // New listeners answer, old ones are closed.
        using (var fresh = await KeepAlive.OpenAsync(freshPort)) Assert.Equal(HttpStatusCode.OK, await fresh.GetAsync());
        using (var moved = await KeepAlive.OpenAsync(apiMoved)) Assert.Equal(HttpStatusCode.OK, await moved.GetAsync());
        await Assert.ThrowsAnyAsync<SocketException>(() => KeepAlive.OpenAsync(apiPort));
        await Assert.ThrowsAnyAsync<SocketException>(() => KeepAlive.OpenAsync(gonePort));
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("fresh")).Members.All(m => m.Health == "up"), "the added service's members checked up");
        // bob's token works now, carol's no longer does.
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(pair, BobToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(pair, CarolToken));
        // Journaled with the file's digest, by the caller.
        EventView reloaded = Assert.Single(await controller.EventsAsync(type: "config.reloaded"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(pair.Config))), reloaded.Details["digest"]?.ToString());
        Assert.Equal("alice", reloaded.Actor);

        // The kept proxy is still the one the changed service fences: a switchover of api closes the connection kept open through it.
        var switchover = await CliRunner.RunAsync(new Dictionary<string, string> { ["UNDERSTUDY_TOKEN"] = AliceToken },
            "switchover", "api", "--to", "api-b", "--reason", "after a reload", "--wait", "--api", $"127.0.0.1:{pair.ApiPort}");
        Assert.True(switchover.ExitCode == 0, switchover.Err + switchover.Out);
        await Assert.ThrowsAsync<IOException>(throughApi.GetAsync);
        Assert.Equal(HttpStatusCode.OK, await throughWeb.GetAsync());
    }

    [Fact]
    public async Task Reload_InvalidFile_ChangesNothingAndSaysWhere_ThenSighupAppliesAFixedOne()
    {
        await using var pair = await WebPair.StartAsync();
        int webPort = FreePort.Next(), freshPort = FreePort.Next();
        await File.WriteAllTextAsync(pair.Config, Config(pair, [AliceToken], Service(pair, "web", webPort)));
        await using var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort, AliceToken);
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Members.All(m => m.Health == "up"), "both members up");
        using var throughWeb = await KeepAlive.OpenAsync(webPort);

        await File.WriteAllTextAsync(pair.Config, Config(pair, [AliceToken], Service(pair, "web", webPort, fall: 0), Service(pair, "fresh", freshPort)));
        // --api, not -c: the CLI would read the invalid file itself to find the API.
        var refused = await CliRunner.RunAsync(new Dictionary<string, string> { ["UNDERSTUDY_TOKEN"] = AliceToken }, "reload", "--api", $"127.0.0.1:{pair.ApiPort}");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("reload refused, nothing changed", refused.Err);
        Assert.Matches(@"understudy\.yaml:\d+:\d+ services\.web\.check\.fall", refused.Err);
        Assert.DoesNotContain("   at ", refused.Err + refused.Out);
        Assert.Equal(["web"], (await controller.TryStatusAsync())!.Services.Select(s => s.Name));
        Assert.Equal(3, (await controller.ServiceAsync("web")).Settings.Fall);
        Assert.Single(await controller.EventsAsync(type: "config.reload_refused"));
        Assert.Equal(HttpStatusCode.OK, await throughWeb.GetAsync());

        await File.WriteAllTextAsync(pair.Config, Config(pair, [AliceToken], Service(pair, "web", webPort), Service(pair, "fresh", freshPort)));
        Assert.True(Signals.TrySend(controller.Process.Id, Signals.Hangup));

        await Eventually.TrueAsync(async () => (await controller.EventsAsync(type: "config.reloaded")).Count == 1, "the reload on SIGHUP");
        Assert.Equal(["fresh", "web"], (await controller.TryStatusAsync())!.Services.Select(s => s.Name).Order());
        Assert.Equal(HttpStatusCode.OK, await throughWeb.GetAsync());
        Assert.False(controller.Process.HasExited);
    }

    private static async Task<HttpStatusCode> WhoAmIAsync(WebPair pair, string token)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (await http.GetAsync("/api/whoami")).StatusCode;
    }

    /// <summary>One TCP connection through a proxy, reused for every request (HTTP/1.1 keep-alive), so a cut shows.</summary>
    private sealed class KeepAlive : IDisposable
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;

        private KeepAlive(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket);
        }

        public static async Task<KeepAlive> OpenAsync(int port)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try { await socket.ConnectAsync(IPAddress.Loopback, port); }
            catch
            {
                socket.Dispose();
                throw;
            }
            var c = new KeepAlive(socket);
            Assert.Equal(HttpStatusCode.OK, await c.GetAsync());
            return c;
        }

        /// <summary>GET /health on this connection; throws when the connection was closed.</summary>
        public async Task<HttpStatusCode> GetAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _stream.WriteAsync("GET /health HTTP/1.1\r\nHost: test\r\n\r\n"u8.ToArray(), timeout.Token);
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await _stream.ReadAsync(one, timeout.Token) == 0) throw new IOException("the connection was closed");
                head.Append((char)one[0]);
            }
            string text = head.ToString();
            int length = int.Parse(text.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim());
            var body = new byte[length];
            await _stream.ReadExactlyAsync(body, timeout.Token);
            return (HttpStatusCode)int.Parse(text.Split(' ')[1]);
        }

        public void Dispose()
        {
            _stream.Dispose();
            _socket.Dispose();
        }
    }
}
