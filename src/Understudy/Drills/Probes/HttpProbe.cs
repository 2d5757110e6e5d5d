using System.Net;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>GET the URL, on a new connection per attempt unless keepalive; success is the expected status. The body's first line names who answered.</summary>
public sealed class HttpProbe(ProbeSpec spec, TimeProvider time) : OpenLoopProbe(spec, time)
{
    private readonly HttpClient _client = ProbeHttp.Client(spec.KeepAlive);

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Spec.Target) { Version = HttpVersion.Version11 };
        request.Headers.ConnectionClose = !Spec.KeepAlive;
        using HttpResponseMessage response = await _client.SendAsync(request, ct);
        string body = await response.Content.ReadAsStringAsync(ct);
        int status = (int)response.StatusCode;
        return status == Spec.ExpectStatus
            ? AttemptOutcome.Success(ProbeHttp.FirstLine(body), $"HTTP {status}")
            : AttemptOutcome.Failure(ErrorKind.HttpStatus, $"HTTP {status}, expected {Spec.ExpectStatus}");
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }
}

internal static class ProbeHttp
{
    public static HttpClient Client(bool keepAlive) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
        MaxConnectionsPerServer = int.MaxValue,
        UseProxy = false,
        AllowAutoRedirect = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public static string FirstLine(string body) => body.Split('\n', 2)[0].Trim();
}
