using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Cluster;
using Understudy.Hosting;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Partitions.Lab;

/// <summary>
/// <c>understudy serve -c FILE</c> inside its host's namespace (API and proxy on the host's address), read through
/// its API from this process with sockets made in that namespace: the reads never cross the lab's network, so a
/// partition does not hide what an instance thinks.
/// </summary>
public sealed class NsInstance : IAsyncDisposable
{
    public const int ApiPort = 7400, ProxyPort = 6000;
    private readonly HttpClient _http;

    private NsInstance(string name, LabHost host, NsProcess process, string token)
    {
        Name = name;
        Host = host;
        Process = process;
        _http = Netns.Http(host.Netns, new Uri($"http://{host.Address}:{ApiPort}"), TimeSpan.FromSeconds(3));
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    public string Name { get; }
    public LabHost Host { get; }
    public NsProcess Process { get; }
    public string ProxyAddress => $"{Host.Address}:{ProxyPort}";

    /// <param name="token">A viewer token the config names as <c>${PARTITION_TOKEN}</c>: an API on a routable address needs one.</param>
    public static NsInstance Start(string name, LabHost host, string config, string logFile, string token)
    {
        var self = SelfProcess.StartInfo("serve", "-c", config);
        var process = NsProcess.Start(host, logFile, self.FileName, self.ArgumentList, new Dictionary<string, string> { ["PARTITION_TOKEN"] = token });
        return new NsInstance(name, host, process, token);
    }

    public async Task<StatusView?> TryStatusAsync() => await TryGetAsync<StatusView>("/api/status");

    public async Task<ClusterView?> TryClusterAsync() => await TryGetAsync<ClusterView>("/api/cluster");

    public async Task<ServiceView?> TryServiceAsync(string service) => (await TryStatusAsync())?.Services.SingleOrDefault(s => s.Name == service);

    /// <summary>Every event of <paramref name="type"/> for the service, all pages.</summary>
    public async Task<IReadOnlyList<EventView>> EventsAsync(string service, string type)
    {
        var all = new List<EventView>();
        for (long? after = null; ;)
        {
            var page = await _http.GetFromJsonAsync<EventsPage>($"/api/events?service={service}&type={type}" + (after is { } a ? $"&after={a}" : ""), ApiJson.Options)
                ?? throw new InvalidOperationException($"{Name}: no events page");
            all.AddRange(page.Events);
            if (page.NextAfter is not { } next || page.Events.Count == 0) return all;
            after = next;
        }
    }

    private async Task<T?> TryGetAsync<T>(string path) where T : class
    {
        if (Process.HasExited) throw new InvalidOperationException($"{Name} exited:\n{Process.LogTail()}");
        try { return await _http.GetFromJsonAsync<T>(path, ApiJson.Options); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _http.Dispose();
    }
}
