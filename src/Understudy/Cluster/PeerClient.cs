using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Core.Cluster;

namespace Understudy.Cluster;

/// <summary>Asks the other instances, over their APIs, whether etcd is unreachable for them too (failsafe).</summary>
public sealed class PeerClient : IDisposable
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };
    private readonly HttpClient _http;

    /// <param name="trust">The certificates this instance's own config trusts: a peer's answer decides whether this one keeps routing.</param>
    public PeerClient(TimeSpan timeout, ApiTrust trust) =>
        _http = new HttpClient(trust.Apply(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })) { Timeout = timeout };

    /// <summary>What each peer that answered says; one that did not answer is left out (it agrees to nothing).</summary>
    public async Task<IReadOnlyList<PeerReport>> AskAsync(IEnumerable<Uri> peers, CancellationToken ct)
    {
        var asked = peers.Select(async api =>
        {
            try { return await _http.GetFromJsonAsync<PeerReport>(new Uri(api, "api/cluster/peer"), Json, ct); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested) { return null; }
        });
        return [.. (await Task.WhenAll(asked)).OfType<PeerReport>()];
    }

    public void Dispose() => _http.Dispose();
}
