using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>
/// POSTs sequence numbers to the URL and remembers each write the server acknowledged (a 2xx) and when;
/// after the drill it reads the writes back (<c>read_url</c>, default the same URL: a JSON array of
/// numbers) to count acknowledged writes that are missing (RPO).
/// </summary>
public sealed class HttpWriteProbe(ProbeSpec spec, TimeProvider time) : OpenLoopProbe(spec, time), IWriteProbe
{
    private readonly HttpClient _client = ProbeHttp.Client(spec.KeepAlive);
    private readonly WriteAcknowledgements _acknowledged = new();

    public IReadOnlyList<(long Seq, DateTimeOffset AckedAt)> Acknowledged => _acknowledged.List;

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Spec.Target)
        {
            Version = HttpVersion.Version11,
            Content = new StringContent(seq.ToString(CultureInfo.InvariantCulture)),
        };
        request.Headers.ConnectionClose = !Spec.KeepAlive;
        using HttpResponseMessage response = await _client.SendAsync(request, ct);
        string body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) return AttemptOutcome.Failure(ErrorKind.HttpStatus, $"HTTP {(int)response.StatusCode}");
        _acknowledged.Add(seq, Time.GetUtcNow());
        return AttemptOutcome.Success(ProbeHttp.FirstLine(body), $"HTTP {(int)response.StatusCode}");
    }

    /// <summary>Reads the writes back and compares them with the acknowledgements.</summary>
    public async Task<WriteLoss> ReadBackAsync(CancellationToken ct)
    {
        string url = Spec.ReadUrl ?? Spec.Target;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        long[] present;
        try
        {
            present = await _client.GetFromJsonAsync<long[]>(url, cts.Token) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or OperationCanceledException)
        {
            throw new DrillException($"probe {Spec.Name}: could not read the writes back from {url}: {e.Message}");
        }
        return _acknowledged.Compare(present.ToHashSet());
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }
}
