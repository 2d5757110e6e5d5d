using System.Net.Http.Json;
using Understudy.Core.Cluster;

namespace Understudy.Cluster;

/// <summary>Asks the other instances, over their APIs, whether etcd is unreachable for them too (failsafe).</summary>
public sealed class PeerClient : IDisposable
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };
    private readonly HttpClient _http;

    public PeerClient(TimeSpan timeout) => _http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { Timeout = timeout };

    /// <summary>What each peer that answered says; one that did not answer is left out (it agrees to nothing).</summary>
    public async Task<IReadOnlyList<PeerReport>> AskAsync(IEnumerable<(string Name, string Api)> peers, CancellationToken ct)
    {
        var asked = peers.Select(async p =>
        {
            try { return await _http.GetFromJsonAsync<PeerReport>($"http://{p.Api}/api/cluster/peer", Json, ct); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested) { return null; }
        });
        return [.. (await Task.WhenAll(asked)).OfType<PeerReport>()];
    }

    public void Dispose() => _http.Dispose();
}
