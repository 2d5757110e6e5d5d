using System.Collections.Immutable;
using Etcdserverpb;
using Google.Protobuf;
using Mvccpb;

namespace Understudy.Coordination;

public sealed partial class EtcdStore
{
    /// <summary>Writes <paramref name="key"/> on <paramref name="lease"/> (0: no lease); the revision it was written at.</summary>
    public Task<long> PutAsync(string key, string value, long lease, CancellationToken ct) =>
        CallAsync("put", async (deadline, token) =>
        {
            var r = await _client.PutAsync(new PutRequest { Key = Bytes(key), Value = Bytes(value), Lease = lease }, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.Header.Revision;
        }, ct);

    public Task<EtcdEntry?> GetAsync(string key, CancellationToken ct) =>
        CallAsync("get", async (deadline, token) =>
        {
            var r = await _client.GetAsync(new RangeRequest { Key = Bytes(key) }, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.Kvs.Count > 0 ? Entry(r.Kvs[0]) : null;
        }, ct);

    /// <summary>Every key that starts with <paramref name="prefix"/>, sorted by key, at most <paramref name="limit"/>, with the revision they were read at.</summary>
    public Task<EtcdRange> RangeAsync(string prefix, CancellationToken ct, long? limit = null) =>
        CallAsync("range", async (deadline, token) =>
        {
            var request = new RangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(EtcdKeys.RangeEnd(prefix)), Limit = limit ?? 0,
                SortOrder = RangeRequest.Types.SortOrder.Ascend, SortTarget = RangeRequest.Types.SortTarget.Key };
            var r = await _client.GetAsync(request, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return new EtcdRange([.. r.Kvs.Select(Entry)], r.Header.Revision, r.More);
        }, ct);

    /// <summary>The greatest key that starts with <paramref name="prefix"/>, or null when there is none.</summary>
    public Task<string?> LastKeyAsync(string prefix, CancellationToken ct) =>
        CallAsync("range", async (deadline, token) =>
        {
            var request = new RangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(EtcdKeys.RangeEnd(prefix)), Limit = 1, KeysOnly = true,
                SortOrder = RangeRequest.Types.SortOrder.Descend, SortTarget = RangeRequest.Types.SortTarget.Key };
            var r = await _client.GetAsync(request, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.Kvs.Count > 0 ? r.Kvs[0].Key.ToStringUtf8() : null;
        }, ct);

    /// <summary>True when the key existed.</summary>
    public Task<bool> DeleteAsync(string key, CancellationToken ct) =>
        CallAsync("delete", async (deadline, token) =>
        {
            var r = await _client.DeleteAsync(new DeleteRangeRequest { Key = Bytes(key) }, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.Deleted > 0;
        }, ct);

    /// <summary>
    /// Deletes the keys that start with <paramref name="prefix"/>, or only those in [prefix, <paramref name="before"/>)
    /// (log compaction: every entry before the oldest one still needed); how many went.
    /// </summary>
    public Task<long> DeletePrefixAsync(string prefix, CancellationToken ct, string? before = null)
    {
        if (before is not null && (!before.StartsWith(prefix, StringComparison.Ordinal)))
            throw new ArgumentException($"'{before}' is not under '{prefix}'", nameof(before));
        return CallAsync("delete range", async (deadline, token) =>
        {
            var request = new DeleteRangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(before ?? EtcdKeys.RangeEnd(prefix)) };
            var r = await _client.DeleteAsync(request, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.Deleted;
        }, ct);
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    private static EtcdEntry Entry(KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision, kv.Lease);
}
