using Understudy.Coordination;

namespace Understudy.Guard;

/// <summary>
/// Which controller instances the guard can reach: the list is read from their presence keys and kept while etcd is
/// out of reach (the last known one counts), and each is asked <c>GET /health</c> on its API, over HTTPS when its record says so.
/// </summary>
public sealed class InstanceProbe(EtcdStore store, TimeProvider time) : IDisposable
{
    // Any certificate is accepted: the probe sends nothing and reads only whether the instance answers, the guard has no
    // trust of its own configured, and a certificate it could not check must not make it stop a healthy member.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseCookies = false, AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });
    private IReadOnlyList<RegisteredInstance> _known = [];

    public int Known => Volatile.Read(ref _known).Count;

    /// <summary>Whether more than half of the last known instances answered; false with none known.</summary>
    public async Task<bool> MajorityAnswersAsync(CancellationToken ct)
    {
        try
        {
            EtcdRange range = await store.RangeAsync(store.Keys.Instances, ct);
            DateTimeOffset seen = time.GetUtcNow();
            Volatile.Write(ref _known, [.. range.Entries.Select(e => PresenceRecord.Read(e, e.Key[store.Keys.Instances.Length..], seen))]);
        }
        catch (CoordinationUnavailable)
        {
            // Out of reach: the last list stands.
        }
        IReadOnlyList<RegisteredInstance> known = Volatile.Read(ref _known);
        if (known.Count == 0) return false;
        bool[] answered = await Task.WhenAll(known.Select(i => AnswersAsync(i.ApiUrl, ct)));
        return answered.Count(a => a) * 2 > known.Count;
    }

    private async Task<bool> AnswersAsync(Uri? api, CancellationToken ct)
    {
        if (api is null) return false;
        using var timeout = new CancellationTokenSource(store.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using HttpResponseMessage r = await _http.GetAsync(new Uri(api, "health"), linked.Token);
            return r.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();
}
