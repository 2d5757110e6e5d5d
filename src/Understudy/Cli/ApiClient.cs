using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;
using Understudy.Cluster;

namespace Understudy.Cli;

/// <summary>Thrown with a one-line message for the person at the terminal (never a stack trace).</summary>
public sealed class ApiException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// The CLI's client of a running controller's REST API: bearer token, JSON in the API's shape, and the
/// API's problem body turned into one readable line.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const string UrlVariable = "UNDERSTUDY_API";
    public const string TokenVariable = "UNDERSTUDY_TOKEN";

    /// <summary>A PEM file of certificates to trust for an https:// API: the controller's own, or the CA that signed it.</summary>
    public const string CaCertVariable = "UNDERSTUDY_CACERT";

    // Reading is strict: an answer missing a field the views require (another version of the controller) is
    // "answered something unexpected", not a null that fails later with a stack trace.
    private static readonly JsonSerializerOptions Strict = new(ApiJson.Options) { RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true };

    private readonly HttpClient _http;

    /// <param name="trust">Which certificates an https:// API may present; the system's trust store alone when null.</param>
    public ApiClient(Uri baseUrl, string? token, TimeSpan? timeout = null, ApiTrust? trust = null)
    {
        BaseUrl = baseUrl;
        _http = new HttpClient((trust ?? ApiTrust.SystemOnly).Apply(new SocketsHttpHandler())) { BaseAddress = baseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        if (!string.IsNullOrEmpty(token)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri BaseUrl { get; }

    /// <summary><c>api/events?service=web&amp;type=…</c>: the given parameters, escaped; empty ones left out.</summary>
    public static string WithQuery(string path, params (string Name, string? Value)[] parameters)
    {
        string query = string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        return query.Length == 0 ? path : $"{path}?{query}";
    }

    public Task<T> GetAsync<T>(string path, CancellationToken ct) => SendAsync<T>(() => _http.GetAsync(path, ct), ct);

    /// <summary>A body that is not the API's JSON (a rendered report), as text; errors as for every other call.</summary>
    public Task<string> GetTextAsync(string path, CancellationToken ct) => SendAsync(() => _http.GetAsync(path, ct), text => text, ct);

    /// <summary><c>GET /api/cluster</c>: the instances, which one leads, and whether the one asked routes.</summary>
    public Task<ClusterView> ClusterAsync(CancellationToken ct) => GetAsync<ClusterView>("api/cluster", ct);

    /// <summary>The newest <paramref name="count"/> events matching <paramref name="query"/>, oldest first: newest-first pages, so the rest is never read.</summary>
    public async Task<List<EventView>> NewestEventsAsync(Journal.JournalQuery query, int count, CancellationToken ct)
    {
        var events = new List<EventView>(count);
        long? before = null;
        while (events.Count < count)
        {
            int take = Math.Min(count - events.Count, StatusEndpoints.MaxEvents);
            EventsPage page = await GetAsync<EventsPage>(WithQuery("api/events", [.. Filters(query), ("order", "desc"),
                ("before", before?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("limit", take.ToString(System.Globalization.CultureInfo.InvariantCulture))]), ct);
            events.AddRange(page.Events);
            // A cursor that does not move on would page forever.
            if (page.NextBefore is not { } next || next >= before) break;
            before = next;
        }
        events.Reverse();
        return events;
    }

    private static (string, string?)[] Filters(Journal.JournalQuery query) =>
        [("service", query.Service), ("type", query.Type), ("since", query.Since?.ToString("O", System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The journal's events matching <paramref name="query"/>, oldest first, following the API's pages.</summary>
    public async IAsyncEnumerable<EventView> EventsAsync(Journal.JournalQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            EventsPage page = await GetAsync<EventsPage>(WithQuery("api/events", [.. Filters(query),
                ("after", after > 0 ? after.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
                ("limit", StatusEndpoints.MaxEvents.ToString(System.Globalization.CultureInfo.InvariantCulture))]), ct);
            foreach (EventView e in page.Events) yield return e;
            // A cursor that does not move on would page forever.
            if (page.NextAfter is not { } next || next <= after) yield break;
            after = next;
        }
    }

    public Task<T> PostAsync<T>(string path, object body, CancellationToken ct) =>
        SendAsync<T>(() => _http.PostAsJsonAsync(path, body, ApiJson.Options, ct), ct);

    private Task<T> SendAsync<T>(Func<Task<HttpResponseMessage>> send, CancellationToken ct) =>
        SendAsync(send, text => JsonSerializer.Deserialize<T>(text, Strict) ?? throw new JsonException("empty body"), ct);

    private async Task<T> SendAsync<T>(Func<Task<HttpResponseMessage>> send, Func<string, T> read, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await send();
        }
        catch (HttpRequestException e) when (e.InnerException is System.Security.Authentication.AuthenticationException)
        {
            throw new ApiException($"the controller at {BaseUrl} presented a certificate this machine does not trust: pass --cacert FILE "
                + $"(its certificate, or the CA that signed it), set {CaCertVariable}, or give -c with the config whose controller.tls it uses");
        }
        catch (HttpRequestException e)
        {
            throw new ApiException($"cannot reach the controller at {BaseUrl}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ApiException($"the controller at {BaseUrl} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw new ApiException(Problem(response.StatusCode, text), response.StatusCode);
            try
            {
                return read(text);
            }
            catch (JsonException e)
            {
                throw new ApiException($"the controller at {BaseUrl} answered something unexpected: {e.Message}");
            }
        }
    }

    /// <summary>"403 Forbidden: alice made request r-1 and cannot approve it".</summary>
    private static string Problem(HttpStatusCode status, string body)
    {
        string? detail = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
                detail = doc.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
                       : doc.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (JsonException) { }
        return $"{(int)status} {status}: {detail ?? "no detail given"}";
    }

    public void Dispose() => _http.Dispose();
}
