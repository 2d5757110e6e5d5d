using System.Net;
using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>
/// GET <c>path</c> on a new connection each time (as HAProxy does), so a server that stopped
/// accepting is not hidden behind a pooled connection. Passes on the expected status and, if set,
/// when the body contains <c>expect_body</c>.
/// </summary>
public sealed class HttpHealthCheck(CheckSpec spec) : IHealthCheck, IDisposable
{
    /// <summary>
    /// One handler for every http service of the process (a handler per service costs memory and a cleaning timer each);
    /// it keeps no connection (lifetime zero, and each request says <c>Connection: close</c>), so sharing it shares none.
    /// </summary>
    private static readonly SocketsHttpHandler Shared = new()
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        AllowAutoRedirect = false,
        UseProxy = false,
    };

    private readonly HttpClient _client = new(Shared, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Each member's URL, built once (a service has a handful of members).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Host, int Port), Uri> _uris = new();

    public async Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
    {
        var uri = _uris.GetOrAdd((member.Address.Host, member.Address.Port), static (a, path) => new UriBuilder(Uri.UriSchemeHttp, a.Host, a.Port, path).Uri, spec.Path);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version11 };
        request.Headers.ConnectionClose = true;
        using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        int status = (int)response.StatusCode;
        if (status != spec.ExpectStatus) return (false, $"HTTP {status}, expected {spec.ExpectStatus}");
        if (spec.ExpectBody is { } expected)
        {
            string body = await response.Content.ReadAsStringAsync(ct);
            if (!body.Contains(expected, StringComparison.Ordinal)) return (false, $"HTTP {status} without '{expected}' in the body");
        }
        return (true, $"HTTP {status}");
    }

    public void Dispose() => _client.Dispose();
}
