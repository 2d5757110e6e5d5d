using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Drills;

namespace Understudy.Drills;

/// <summary>The drill's view of a controller through its API: status, journal events, fault injection, the verdict.</summary>
/// <param name="trust">Which certificates an https:// controller may present; the system's trust store alone when null.</param>
public sealed class ControllerClient(Uri baseUrl, string service, ApiTrust? trust = null) : IDisposable
{
    private readonly HttpClient _http = Authorized(new((trust ?? ApiTrust.SystemOnly).Apply(new SocketsHttpHandler()))
    {
        BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10),
    });

    /// <summary>A controller with auth needs a token: the drill takes it from UNDERSTUDY_TOKEN, as the CLI does.</summary>
    private static HttpClient Authorized(HttpClient http)
    {
        if (Environment.GetEnvironmentVariable("UNDERSTUDY_TOKEN") is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public Uri BaseUrl => baseUrl;
    public string Service => service;

    public async Task<ServiceView> StatusAsync(CancellationToken ct)
    {
        StatusView status = await GetAsync<StatusView>("/api/status", ct);
        return status.Services.FirstOrDefault(s => s.Name == service)
            ?? throw new DrillException($"the controller at {baseUrl} has no service '{service}' (it has {string.Join(", ", status.Services.Select(s => s.Name))})");
    }

    /// <summary>Every event of the service since <paramref name="since"/>, following the API's pages.</summary>
    public async Task<IReadOnlyList<EventView>> EventsAsync(DateTimeOffset since, CancellationToken ct)
    {
        var all = new List<EventView>();
        long? after = null;
        do
        {
            string query = $"/api/events?service={Uri.EscapeDataString(service)}&since={Uri.EscapeDataString(since.UtcDateTime.ToString("O"))}" + (after is { } a ? $"&after={a}" : "");
            EventsPage page = await GetAsync<EventsPage>(query, ct);
            all.AddRange(page.Events);
            after = page.NextAfter;
        }
        while (after is not null);
        return all;
    }

    /// <summary>Injects the fault; returns the instant the controller applied it.</summary>
    public async Task<DateTimeOffset> InjectAsync(ProxyFault fault, CancellationToken ct)
    {
        var body = new
        {
            kind = fault.Kind.ToString().ToLowerInvariant(),
            duration = $"{fault.Duration.TotalMilliseconds:0}ms",
            latency_ms = fault.Latency.TotalMilliseconds,
            jitter_ms = fault.Jitter.TotalMilliseconds,
        };
        string json = await SendAsync(() => _http.PostAsJsonAsync(MemberFaults(fault.Member), body, ct), $"inject {fault.Describe()}");
        return JsonSerializer.Deserialize<FaultView>(json, ApiJson.Options)?.AppliedAt
            ?? throw new DrillException($"the controller at {baseUrl} answered the fault injection without applied_at");
    }

    /// <summary>
    /// Tells the controller the drill's verdict and report.json's figures under report.json's names (journaled as
    /// drill.completed, so a failed drill is notified and <c>drill history</c> can list it).
    /// </summary>
    public Task ReportVerdictAsync(DrillReport report, string? reportPath, CancellationToken ct)
    {
        var body = new
        {
            service,
            name = report.Name,
            verdict = report.Verdict.ToString().ToLowerInvariant(),
            rto_ms = report.RtoMs,
            report = reportPath,
            recovery_time_ms = report.RecoveryTimeMs,
            lost_acknowledged_writes = report.LostAcknowledgedWrites,
            availability_pct = report.AvailabilityPct,
            rto_target_ms = report.Targets.RtoMs,
            recovery_target_ms = report.Targets.RecoveryMs,
        };
        return SendAsync(() => _http.PostAsJsonAsync("/api/drills", body, ct), "record the drill's verdict");
    }

    /// <summary>
    /// The service's drill lock, after the controller's pre-flight; with <paramref name="token"/> (a scheduled run's lock,
    /// handed down by the controller), that lock renewed. Refused: a <see cref="DrillException"/> with the controller's reason.
    /// </summary>
    public async Task<DrillLockView> TakeDrillLockAsync(string name, string file, string? token, CancellationToken ct)
    {
        var body = new DrillLockBody(name, file, Environment.ProcessId, token);
        string json = await SendAsync(() => _http.PostAsJsonAsync(DrillLock(), body, ApiJson.Options, ct), "start the drill", refusedWith: Detail);
        return JsonSerializer.Deserialize<DrillLockView>(json, ApiJson.Options)
            ?? throw new DrillException($"the controller at {baseUrl} answered the drill lock with nothing");
    }

    public Task RenewDrillLockAsync(string token, CancellationToken ct) =>
        SendAsync(() => _http.PostAsJsonAsync(DrillLock(), new DrillLockBody(null, null, null, token), ApiJson.Options, ct), "renew the drill lock");

    public Task ReleaseDrillLockAsync(string token, CancellationToken ct) =>
        SendAsync(() => _http.PostAsJsonAsync(DrillLock() + "/release", new DrillLockRelease(token), ApiJson.Options, ct), "release the drill lock");

    private string DrillLock() => $"/api/services/{Uri.EscapeDataString(service)}/drill-lock";

    /// <summary>A problem body's detail, the reason a person reads; the whole body when it has none.</summary>
    private static string Detail(string body)
    {
        try { return JsonSerializer.Deserialize<Microsoft.AspNetCore.Mvc.ProblemDetails>(body)?.Detail ?? body; }
        catch (JsonException) { return body; }
    }

    public Task ClearAsync(string member, CancellationToken ct) =>
        SendAsync(() => _http.DeleteAsync(MemberFaults(member), ct), $"clear the fault toward {member}");

    private string MemberFaults(string member) => $"/api/services/{Uri.EscapeDataString(service)}/members/{Uri.EscapeDataString(member)}/faults";

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        try
        {
            return await _http.GetFromJsonAsync<T>(path, ApiJson.Options, ct) ?? throw new DrillException($"the controller at {baseUrl} answered {path} with nothing");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new DrillException($"the controller at {baseUrl} did not answer {path}: {e.Message}");
        }
    }

    /// <param name="refusedWith">How a refusal's body reads in the message; as it came when null.</param>
    private async Task<string> SendAsync(Func<Task<HttpResponseMessage>> send, string what, Func<string, string>? refusedWith = null)
    {
        try
        {
            using HttpResponseMessage response = await send();
            string body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new DrillException($"the controller refused to {what}: HTTP {(int)response.StatusCode} {refusedWith?.Invoke(body) ?? body}");
            return body;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new DrillException($"could not {what}: the controller at {baseUrl} did not answer ({e.Message})");
        }
    }

    public void Dispose() => _http.Dispose();
}
