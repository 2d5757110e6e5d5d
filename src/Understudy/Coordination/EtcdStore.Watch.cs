using Etcdserverpb;
using Grpc.Core;
using Mvccpb;

namespace Understudy.Coordination;

public sealed partial class EtcdStore
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100), LastRetry = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Hands every change under <paramref name="prefix"/> from <paramref name="fromRevision"/> on to
    /// <paramref name="onChanges"/>, in revision order, one batch at a time (the next waits for the handler). A
    /// lost stream is opened again from the revision after the last one handed over, after a pause that grows
    /// from 100 ms to 2 s: nothing is lost or handed over twice. A stream that goes silent (a paused or cut-off
    /// etcd keeps its connection open) is noticed by asking etcd for progress every <see cref="CallTimeout"/> × 2.
    /// Ends by cancellation, or returns when etcd no longer has the history to resume from.
    /// </summary>
    public async Task<WatchCompacted> WatchAsync(string prefix, long fromRevision, Func<IReadOnlyList<EtcdChange>, Task> onChanges, CancellationToken ct)
    {
        long next = fromRevision;
        TimeSpan retry = FirstRetry;
        while (true)
        {
            var outcome = await WatchOnceAsync(prefix, next, onChanges, ct).ConfigureAwait(false);
            if (outcome.Compacted is { } compacted) return compacted;
            if (outcome.Established) retry = FirstRetry;
            next = outcome.Next;
            Log.WatchLost(_logger, prefix, outcome.Why!, next, retry);
            await Task.Delay(retry, _time, ct).ConfigureAwait(false);
            retry = retry * 2 < LastRetry ? retry * 2 : LastRetry;
        }
    }

    private sealed record WatchOutcome(long Next, bool Established, WatchCompacted? Compacted = null, string? Why = null);

    /// <summary>When the stream last answered, and whether the handler holds it up (then silence proves nothing).</summary>
    private sealed class Liveness(long now)
    {
        public long LastHeard = now;
        public volatile bool Handling;
    }

    private async Task<WatchOutcome> WatchOnceAsync(string prefix, long next, Func<IReadOnlyList<EtcdChange>, Task> onChanges, CancellationToken ct)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bool established = false;
        var alive = new Liveness(_time.GetTimestamp());
        Task? prober = null;
        try
        {
            using var call = _client.GetConnection().WatchClient.Watch(cancellationToken: stream.Token);
            var create = new WatchCreateRequest { Key = Bytes(prefix), RangeEnd = Bytes(EtcdKeys.RangeEnd(prefix)), StartRevision = next };
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, stream.Token).ConfigureAwait(false);
            // The first answer must come within a call's deadline, as any call's; after it, the prober watches.
            using (var firstAnswer = new CancellationTokenSource(CallTimeout, _time))
            using (firstAnswer.Token.Register(stream.Cancel))
                if (!await call.ResponseStream.MoveNext(stream.Token).ConfigureAwait(false)) return new(next, false, Why: "the stream ended");
            WatchResponse created = call.ResponseStream.Current;
            if (!created.Created || created.Canceled) return new(next, false, Why: $"etcd refused the watch: {created.CancelReason}");
            established = true;
            Log.WatchOn(_logger, prefix, next);
            prober = ProbeAsync(call.RequestStream, alive, stream);
            while (await call.ResponseStream.MoveNext(stream.Token).ConfigureAwait(false))
            {
                WatchResponse r = call.ResponseStream.Current;
                Volatile.Write(ref alive.LastHeard, _time.GetTimestamp());
                if (r.CompactRevision > 0)
                {
                    Log.WatchCompacted(_logger, prefix, next, r.CompactRevision);
                    return new(next, true, new WatchCompacted(r.CompactRevision));
                }
                if (r.Canceled) return new(next, true, Why: $"etcd cancelled the watch: {r.CancelReason}");
                // Never hand over a revision twice, whatever a resumed stream repeats.
                var changes = r.Events.Where(e => e.Kv.ModRevision >= next).Select(Change).ToList();
                if (changes.Count == 0) continue;
                alive.Handling = true;
                try { await onChanges(changes).ConfigureAwait(false); }
                finally { Volatile.Write(ref alive.LastHeard, _time.GetTimestamp()); alive.Handling = false; }
                next = changes[^1].Entry.ModRevision + 1;
            }
            return new(next, established, Why: "the stream ended");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is RpcException or OperationCanceledException or IOException)
        {
            return new(next, established, Why: e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : "no answer in time");
        }
        finally
        {
            await stream.CancelAsync().ConfigureAwait(false);
            if (prober is not null) await prober.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Asks for progress now and then; etcd 3.4 answers at once, so silence past the deadline means the stream is dead.</summary>
    private async Task ProbeAsync(IClientStreamWriter<WatchRequest> requests, Liveness alive, CancellationTokenSource stream)
    {
        while (!stream.IsCancellationRequested)
        {
            await Task.Delay(CallTimeout * 2, _time, stream.Token).ConfigureAwait(false);
            long asked = _time.GetTimestamp();
            await requests.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, stream.Token).ConfigureAwait(false);
            await Task.Delay(CallTimeout, _time, stream.Token).ConfigureAwait(false);
            if (Volatile.Read(ref alive.LastHeard) < asked && !alive.Handling) await stream.CancelAsync().ConfigureAwait(false);
        }
    }

    private static EtcdChange Change(Event e) => new(Entry(e.Kv), e.Type == Event.Types.EventType.Delete);
}
