using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary><c>understudy serve -c FILE</c> as a real child process, observed through its API.</summary>
public sealed class ControllerProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http;

    private ControllerProcess(string config, int apiPort, string? token, IReadOnlyDictionary<string, string>? environment, string? caCert, string[] extraArgs)
    {
        Process = SelfProcess.Start(_output.Enqueue, environment, ["serve", "-c", config, .. extraArgs]);
        ApiTrust trust = caCert is null ? ApiTrust.SystemOnly : ApiTrust.Read([caCert], out string whyNot) ?? throw new ArgumentException(whyNot, nameof(caCert));
        _http = new HttpClient(trust.Apply(new SocketsHttpHandler()))
        {
            BaseAddress = new Uri($"{(caCert is null ? "http" : "https")}://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(5),
        };
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    public Process Process { get; }

    public string Output => string.Join('\n', _output);

    /// <summary>Starts it and waits until its API answers.</summary>
    /// <param name="token">What this fixture's own reads of the API send, when the config has tokens.</param>
    /// <param name="environment">Extra environment for the controller, e.g. the tokens its config names.</param>
    /// <param name="caCert">For a config with controller.tls: the PEM file this fixture trusts, and it calls https://.</param>
    /// <param name="extraArgs">More arguments to <c>serve</c>, e.g. <c>--new-journal</c>.</param>
    public static async Task<ControllerProcess> StartAsync(string config, int apiPort, string? token = null, IReadOnlyDictionary<string, string>? environment = null,
        string? caCert = null, params string[] extraArgs)
    {
        var c = new ControllerProcess(config, apiPort, token, environment, caCert, extraArgs);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (c.Process.HasExited) throw new InvalidOperationException($"controller exited with {c.Process.ExitCode}:\n{c.Output}");
                return await c.TryStatusAsync() is not null;
            }, "the controller's API");
            return c;
        }
        catch
        {
            // Nobody else holds it yet: a controller that never answered must not outlive the test.
            await c.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts it for a <see cref="WebPair"/> and waits until it has seen both members up.</summary>
    public static async Task<ControllerProcess> StartHealthyAsync(WebPair pair, string? token = null, IReadOnlyDictionary<string, string>? environment = null,
        string? caCert = null)
    {
        var c = await StartAsync(pair.Config, pair.ApiPort, token, environment, caCert);
        await Eventually.TrueAsync(async () => (await c.ServiceAsync("web")).Members.All(m => m.Health == "up"), "both members up");
        return c;
    }

    public async Task<StatusView?> TryStatusAsync()
    {
        try { return await _http.GetFromJsonAsync<StatusView>("/api/status", ApiJson.Options); }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }

    public async Task<ServiceView> ServiceAsync(string name) =>
        (await TryStatusAsync() ?? throw new InvalidOperationException($"controller not answering:\n{Output}")).Services.Single(s => s.Name == name);

    public async Task<IReadOnlyList<EventView>> EventsAsync(string? service = null, string? type = null)
    {
        var page = await _http.GetFromJsonAsync<EventsPage>($"/api/events?service={service}&type={type}", ApiJson.Options);
        return page!.Events;
    }

    /// <summary>GET /api/cluster, or null while the API does not answer.</summary>
    public async Task<Understudy.Cluster.ClusterView?> TryClusterAsync()
    {
        try { return await _http.GetFromJsonAsync<Understudy.Cluster.ClusterView>("/api/cluster", ApiJson.Options); }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }

    /// <summary>GET /ready: 200 while this instance's proxies route.</summary>
    public async Task<bool> IsReadyAsync()
    {
        try { return (await _http.GetAsync("/ready")).IsSuccessStatusCode; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    public HttpClient Http => _http;

    /// <summary>SIGKILL by PID: nothing of it runs after this (no resign, no revoke).</summary>
    public async Task KillAsync()
    {
        if (Process.HasExited) return;
        Signals.TrySend(Process.Id, Signals.Kill);
        await Process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        if (Process.HasExited) return;
        Signals.TrySend(Process.Id, Signals.Term);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (OperationCanceledException) { Process.Kill(); }
        Process.Dispose();
        _http.Dispose();
    }
}
