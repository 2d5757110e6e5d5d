using Etcdserverpb;

namespace Understudy.Coordination;

public sealed partial class EtcdStore
{
    /// <summary>A new lease of at least <paramref name="ttl"/> (whole seconds, rounded up); the TTL etcd granted comes back.</summary>
    public Task<EtcdLease> GrantLeaseAsync(TimeSpan ttl, CancellationToken ct) =>
        CallAsync("lease grant", async (deadline, token) =>
        {
            var request = new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) };
            LeaseGrantResponse r = await _client.LeaseGrantAsync(request, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            if (r.Error.Length > 0) throw Unavailable("lease grant", CoordinationFailure.Refused, r.Error);
            return new EtcdLease(r.ID, TimeSpan.FromSeconds(r.TTL));
        }, ct);

    /// <summary>
    /// Renews the lease once: the TTL it has again, or null when it is gone (expired or revoked). The lease was
    /// renewed at some instant between sending and this answer, so a caller that counts the TTL from the moment
    /// it sent counts conservatively. dotnet-etcd's keep-alives run until cancelled; this is one request on one
    /// stream, under the deadline.
    /// </summary>
    public Task<TimeSpan?> KeepAliveOnceAsync(long leaseId, CancellationToken ct) =>
        CallAsync<TimeSpan?>("lease keep-alive", async (deadline, token) =>
        {
            using var call = _client.GetConnection().LeaseClient.LeaseKeepAlive(deadline: deadline, cancellationToken: token);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, token).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(token).ConfigureAwait(false))
                throw Unavailable("lease keep-alive", CoordinationFailure.Unreachable, "the stream ended without an answer");
            // etcd answers TTL 0 for a lease it no longer has.
            long ttl = call.ResponseStream.Current.TTL;
            return ttl > 0 ? TimeSpan.FromSeconds(ttl) : null;
        }, ct);

    /// <summary>What is left of the lease (etcd counts whole seconds, rounded down), or null when it is gone.</summary>
    public Task<TimeSpan?> TimeToLiveAsync(long leaseId, CancellationToken ct) =>
        CallAsync<TimeSpan?>("lease time-to-live", async (deadline, token) =>
        {
            var r = await _client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = leaseId }, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.TTL >= 0 ? TimeSpan.FromSeconds(r.TTL) : null;
        }, ct);

    /// <summary>Ends the lease and deletes every key on it at once. A lease already gone is not an error.</summary>
    public async Task RevokeAsync(long leaseId, CancellationToken ct)
    {
        try
        {
            await CallAsync("lease revoke", (deadline, token) =>
                _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, deadline: deadline, cancellationToken: token), ct).ConfigureAwait(false);
        }
        catch (CoordinationUnavailable e) when (e.Failure == CoordinationFailure.LeaseNotFound)
        {
            // Gone already: what revoking was for.
        }
    }
}
