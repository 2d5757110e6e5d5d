using System.Globalization;
using Understudy.Core.Topology;

namespace Understudy.SampleApp;

/// <param name="Unready">GET / answers 503 while /health passes: what a verify probe catches and health checks do not.</param>
public sealed record SampleAppOptions(int Port, string Name, HostPort? Peer, ReplicationMode Replication, TimeSpan AsyncDelay, string? PidFile, bool Unready = false);

/// <summary>
/// A tiny HTTP service for demos, tests and benchmarks, on 127.0.0.1 only: <c>GET /</c> answers its name (503 when
/// unready), <c>GET /health</c> "ok"; <c>POST /writes</c> stores a sequence number (replicated to <c>--peer</c>),
/// <c>GET /writes</c> lists them as JSON, <c>GET /stats</c> counts replication.
/// </summary>
public static class SampleApp
{
    public static async Task<int> RunAsync(SampleAppOptions o, CancellationToken stopping)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, o.Port));
        using var store = new Replicator(o.Peer, o.Replication, o.AsyncDelay);
        WebApplication app = builder.Build();
        app.MapGet("/", () => o.Unready ? Results.Text($"{o.Name}: not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable) : Results.Text(o.Name + "\n"));
        app.MapGet("/health", () => Results.Text("ok\n"));
        app.MapPost("/writes", async (HttpRequest request) =>
            await ReadSeqAsync(request) is { } seq ? await AckAsync(store, seq, o.Name) : Results.BadRequest("body: expected a whole number\n"));
        app.MapPost("/replica/writes", async (HttpRequest request) =>
        {
            if (await ReadSeqAsync(request) is not { } seq) return Results.BadRequest("body: expected a whole number\n");
            store.AcceptReplica(seq);
            return Results.Text("ok\n");
        });
        app.MapGet("/writes", () => Results.Json(store.Writes));
        app.MapGet("/stats", () => Results.Json(store.Stats(o.Name)));
        try
        {
            await app.StartAsync(stopping);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"sample-app {o.Name}: cannot listen on 127.0.0.1:{o.Port}: {e.Message}");
            return 1;
        }
        if (o.PidFile is not null) await File.WriteAllTextAsync(o.PidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), stopping);
        Console.WriteLine($"sample-app {o.Name} listening on http://127.0.0.1:{o.Port} (pid {Environment.ProcessId})");
        await app.WaitForShutdownAsync(stopping);
        if (o.PidFile is not null) File.Delete(o.PidFile);
        return 0;
    }

    private static async Task<IResult> AckAsync(Replicator store, long seq, string name)
    {
        await store.AcceptAsync(seq);
        return Results.Text($"{name}\n");
    }

    private static async Task<long?> ReadSeqAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        string text = (await reader.ReadToEndAsync()).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seq) ? seq : null;
    }
}
