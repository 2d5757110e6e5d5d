namespace Understudy.SampleApp;

/// <summary>
/// A tiny HTTP service for demos, tests and benchmarks: <c>GET /</c> answers its name,
/// <c>GET /health</c> answers "ok". It listens on 127.0.0.1 only.
/// </summary>
public static class SampleApp
{
    public static async Task<int> RunAsync(int port, string name, CancellationToken stopping)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        WebApplication app = builder.Build();
        app.MapGet("/", () => Results.Text(name + "\n"));
        app.MapGet("/health", () => Results.Text("ok\n"));
        try
        {
            await app.StartAsync(stopping);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"sample-app {name}: cannot listen on 127.0.0.1:{port}: {e.Message}");
            return 1;
        }
        Console.WriteLine($"sample-app {name} listening on http://127.0.0.1:{port} (pid {Environment.ProcessId})");
        await app.WaitForShutdownAsync(stopping);
        return 0;
    }
}
