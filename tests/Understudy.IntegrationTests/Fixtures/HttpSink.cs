using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>
/// A tiny Kestrel server on 127.0.0.1 that takes JSON POSTs at <c>/{name}</c>, as a webhook, Slack or
/// PagerDuty would; a name listed as flaky answers 500 to its first request.
/// </summary>
public sealed class HttpSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<JsonElement>> _received = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    private HttpSink(int port, IReadOnlyCollection<string> flaky)
    {
        Port = port;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapPost("/{name}", async (string name, HttpRequest request) =>
        {
            int attempt = _attempts.AddOrUpdate(name, 1, (_, n) => n + 1);
            if (attempt == 1 && flaky.Contains(name)) return Results.StatusCode(500);
            using JsonDocument body = await JsonDocument.ParseAsync(request.Body);
            _received.GetOrAdd(name, _ => new()).Enqueue(body.RootElement.Clone());
            return Results.Accepted();
        });
    }

    public int Port { get; }

    public static async Task<HttpSink> StartAsync(params string[] flaky)
    {
        var sink = new HttpSink(FreePort.Next(), flaky);
        await sink._app.StartAsync();
        return sink;
    }

    public Uri Url(string name) => new($"http://127.0.0.1:{Port}/{name}");

    /// <summary>The bodies accepted at <paramref name="name"/>, in arrival order (not the refused ones).</summary>
    public IReadOnlyList<JsonElement> Received(string name) => _received.TryGetValue(name, out var q) ? [.. q] : [];

    /// <summary>Every request at <paramref name="name"/>, refused ones included.</summary>
    public int Attempts(string name) => _attempts.GetValueOrDefault(name);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
