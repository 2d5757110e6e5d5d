using System.Text.Json;
using System.Text.Json.Serialization;
using Understudy.Coordination;
using Understudy.Core.Guard;
using Understudy.Core.Journal;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Guard;

/// <summary>
/// The guard's key (<see cref="EtcdKeys.Guard"/>) on its own lease: granted, written, renewed with a keep-alive every
/// third of the TTL etcd granted. A lease found gone is replaced. Safety contract: <see cref="RenewedAt"/> is when the
/// last grant or keep-alive that etcd answered was <em>sent</em> (monotonic), so counting a lease from it never
/// outlasts etcd's own count. Notes (fenced, lifted) wait here until etcd answers, then go under the guard's own prefix.
/// </summary>
public sealed partial class GuardLease(EtcdStore store, GuardSpec spec, TimeProvider time, ILogger<GuardLease> logger)
{
    private readonly Lock _lock = new();
    private readonly Queue<ClusterAlert> _notes = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GuardRecord _record = new(spec.Member, spec.Service, false, time.GetUtcNow(), Environment.ProcessId, Controller.Version);
    private bool _written;
    private EtcdLease? _lease;
    private long _renewedAt;
    private bool _reachable = true;
    private long _noteSeq;

    /// <summary>The monotonic timestamp of the last renewal etcd answered; null before the first.</summary>
    public long? RenewedAt => Interlocked.Read(ref _renewedAt) is var t && t != 0 ? t : null;

    /// <summary>Where notes from this guard go: <c>notes/guard-{service}-{member}/</c>.</summary>
    public string NoteWriter => $"guard-{spec.Service}-{spec.Member}";

    /// <summary>Says in the key whether the member is fenced (written at once if etcd answers), and leaves a note for the journal.</summary>
    public void Report(bool fenced, ClusterAlert note)
    {
        lock (_lock)
        {
            if (_record.Fenced != fenced) (_record, _written) = (_record with { Fenced = fenced, Since = time.GetUtcNow() }, false);
            _notes.Enqueue(note with { Time = time.GetUtcNow(), Service = spec.Service, Member = spec.Member, Actor = "guard" });
            _changed.TrySetResult();
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await TickAsync(ct);
                Task changed;
                lock (_lock) changed = (_changed = new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                await Task.WhenAny(Task.Delay((_lease?.GrantedTtl ?? spec.Lease) / 3, time, ct), changed).Unwrap();
            }
        }
        finally
        {
            // The key goes with the lease at once, not a TTL later.
            if (_lease is { } last)
                try { await store.RevokeAsync(last.Id, CancellationToken.None); }
                catch (CoordinationUnavailable e) { Log.RevokeFailed(logger, spec.Member, e.Message); }
        }
    }

    private async Task TickAsync(CancellationToken ct)
    {
        try
        {
            long sent = time.GetTimestamp();
            if (_lease is { } held && await store.KeepAliveOnceAsync(held.Id, ct) is null)
            {
                Log.LeaseGone(logger, spec.Member, held.Id);
                _lease = null;
            }
            if (_lease is null)
            {
                sent = time.GetTimestamp();
                _lease = await store.GrantLeaseAsync(spec.Lease, ct);
                _written = false;
                Log.LeaseGranted(logger, spec.Member, _lease.Id, _lease.GrantedTtl);
            }
            Interlocked.Exchange(ref _renewedAt, sent);
            if (!_reachable) Log.Reachable(logger, spec.Member);
            _reachable = true;
            await WriteKeyAsync(_lease.Id, ct);
            await WriteNotesAsync(ct);
        }
        catch (CoordinationUnavailable e)
        {
            if (_reachable) Log.Unreachable(logger, spec.Member, e.Message);
            _reachable = false;
        }
    }

    private async Task WriteKeyAsync(long lease, CancellationToken ct)
    {
        GuardRecord record;
        lock (_lock)
        {
            if (_written) return;
            record = _record;
        }
        await store.PutAsync(store.Keys.Guard(spec.Service, spec.Member), JsonSerializer.Serialize(record, GuardJson.Default.GuardRecord), lease, ct);
        lock (_lock) _written = record == _record;
    }

    /// <summary>Created only if absent, after the last note this guard finds under its prefix: a note is never overwritten.</summary>
    private async Task WriteNotesAsync(CancellationToken ct)
    {
        while (true)
        {
            ClusterAlert? next;
            lock (_lock) next = _notes.TryPeek(out ClusterAlert? n) ? n : null;
            if (next is null) return;
            if (_noteSeq == 0)
            {
                EtcdRange mine = await store.RangeAsync(store.Keys.InstanceNotes(NoteWriter), ct);
                _noteSeq = mine.Entries.Length == 0 ? 0 : long.Parse(mine.Entries[^1].Key[(mine.Entries[^1].Key.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
            if (await store.TryCreateAsync(store.Keys.Note(NoteWriter, _noteSeq + 1), EventJson.Write(next), 0, ct) is CreateResult.Created)
                lock (_lock) _notes.Dequeue();
            _noteSeq++;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "guard {Member}: lease {Lease} granted for {Ttl}")]
        public static partial void LeaseGranted(ILogger logger, string member, long lease, TimeSpan ttl);

        [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "guard {Member}: lease {Lease} is gone (expired or revoked); asking for a new one")]
        public static partial void LeaseGone(ILogger logger, string member, long lease);

        [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "guard {Member}: etcd out of reach ({Why})")]
        public static partial void Unreachable(ILogger logger, string member, string why);

        [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "guard {Member}: etcd answers again")]
        public static partial void Reachable(ILogger logger, string member);

        [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "guard {Member}: could not revoke the lease on the way out ({Why}); the key stays until it expires")]
        public static partial void RevokeFailed(ILogger logger, string member, string why);
    }
}

/// <summary>The guard key's value.</summary>
/// <param name="Since">When <see cref="Fenced"/> last changed (or the guard started).</param>
public sealed record GuardRecord(string Member, string Service, bool Fenced, DateTimeOffset Since, int Pid, string Version);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(GuardRecord))]
internal sealed partial class GuardJson : JsonSerializerContext;
