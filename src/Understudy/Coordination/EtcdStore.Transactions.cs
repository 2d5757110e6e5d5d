using Etcdserverpb;

namespace Understudy.Coordination;

public sealed partial class EtcdStore
{
    /// <summary>Creates <paramref name="key"/> only if it does not exist; otherwise returns what it holds, read in the same transaction.</summary>
    public Task<CreateResult> TryCreateAsync(string key, string value, long lease, CancellationToken ct) =>
        CallAsync<CreateResult>("create", async (deadline, token) =>
        {
            var txn = new TxnRequest();
            txn.Compare.Add(Absent(key));
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = Bytes(value), Lease = lease } });
            txn.Failure.Add(Read(key));
            TxnResponse r = await _client.TransactionAsync(txn, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.Succeeded
                ? new CreateResult.Created(r.Header.Revision)
                : new CreateResult.Taken(Entry(r.Responses[0].ResponseRange.Kvs[0]));
        }, ct);

    /// <summary>Deletes <paramref name="key"/> only if it is still the one created at <paramref name="createRevision"/>; true when it was.</summary>
    public Task<bool> DeleteIfCreatedAsync(string key, long createRevision, CancellationToken ct) =>
        CallAsync("delete if created", async (deadline, token) =>
        {
            var txn = new TxnRequest();
            txn.Compare.Add(new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = createRevision });
            txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(key) } });
            TxnResponse r = await _client.TransactionAsync(txn, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            return r.Succeeded;
        }, ct);

    /// <summary>
    /// Appends <paramref name="values"/> to <paramref name="service"/>'s log at <paramref name="nextSeq"/>, +1, … in one
    /// transaction that holds only if (a) the leader key is still <paramref name="leader"/>'s term (same create
    /// revision: it has not expired and been taken since) and (b) nobody has appended at <paramref name="nextSeq"/>.
    /// Log keys carry no lease: the log outlives leaders. A <see cref="AppendResult.Conflict"/> can also follow an
    /// append of this very call whose answer was lost on an earlier attempt: read the log from nextSeq to tell.
    /// </summary>
    public Task<AppendResult> AppendAsync(LeaderToken leader, string service, long nextSeq, IReadOnlyList<string> values, CancellationToken ct)
    {
        if (values.Count == 0) throw new ArgumentException("nothing to append", nameof(values));
        string first = Keys.LogKey(service, nextSeq);
        _ = Keys.LogKey(service, nextSeq + values.Count - 1); // throws past the last sequence number, before anything is sent
        return CallAsync<AppendResult>("append", async (deadline, token) =>
        {
            var txn = new TxnRequest();
            txn.Compare.Add(new Compare { Key = Bytes(Keys.Leader), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = leader.CreateRevision });
            txn.Compare.Add(Absent(first));
            for (int i = 0; i < values.Count; i++)
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(Keys.LogKey(service, nextSeq + i)), Value = Bytes(values[i]) } });
            // Which compare failed is told by reading both places in the same transaction.
            txn.Failure.Add(Read(Keys.Leader));
            string log = Keys.ServiceLog(service);
            txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(log), RangeEnd = Bytes(EtcdKeys.RangeEnd(log)), Limit = 1,
                SortOrder = RangeRequest.Types.SortOrder.Descend, SortTarget = RangeRequest.Types.SortTarget.Key, KeysOnly = true } });
            TxnResponse r = await _client.TransactionAsync(txn, deadline: deadline, cancellationToken: token).ConfigureAwait(false);
            if (r.Succeeded) return new AppendResult.Committed(r.Header.Revision);
            var holder = r.Responses[0].ResponseRange.Kvs.FirstOrDefault();
            if (holder is null || holder.CreateRevision != leader.CreateRevision) return new AppendResult.NotLeader(holder?.Value.ToStringUtf8());
            string last = r.Responses[1].ResponseRange.Kvs[0].Key.ToStringUtf8();
            return new AppendResult.Conflict(long.Parse(last[log.Length..], System.Globalization.CultureInfo.InvariantCulture));
        }, ct);
    }

    private static Compare Absent(string key) =>
        new() { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 };

    private static RequestOp Read(string key) => new() { RequestRange = new RangeRequest { Key = Bytes(key) } };
}
