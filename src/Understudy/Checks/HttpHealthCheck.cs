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
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        AllowAutoRedirect = false,
        UseProxy = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
    {
        var uri = new UriBuilder(Uri.UriSchemeHttp, member.Address.Host, member.Address.Port, spec.Path).Uri;
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
