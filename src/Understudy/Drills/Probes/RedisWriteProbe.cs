using System.Globalization;
using StackExchange.Redis;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>
/// SETs one key per attempt, <c>prefix:run:seq</c> = seq, through the probe's address (usually the service's
/// proxy), on a new connection unless keepalive, and remembers each SET the server acknowledged (OK) and
/// when. Every key is written with a TTL of <see cref="KeyTtl"/>, so a drill that dies before its cleanup leaves
/// nothing behind for good. Afterwards it reads back every key it attempted (MGET in batches) on the final
/// primary (the same address, or <c>verify</c>'s) to count acknowledged writes lost, then deletes them there.
/// </summary>
public sealed class RedisWriteProbe : OpenLoopProbe, IWriteProbe
{
    public static readonly TimeSpan KeyTtl = TimeSpan.FromDays(1);
    private const int Batch = 500;
    private static readonly TimeSpan ReadBackTimeout = TimeSpan.FromSeconds(5);
    private readonly WriteAcknowledgements _acknowledged = new();
    private readonly RedisProbeSpec _redis;
    private readonly RedisProbeConnection _connection;
    private long _attempted = -1;

    public RedisWriteProbe(ProbeSpec spec, TimeProvider time) : base(spec, time)
    {
        _redis = spec.Redis ?? RedisProbeSpec.Default;
        _connection = new RedisProbeConnection(spec.Target, _redis.Password, spec.Timeout, spec.KeepAlive);
    }

    public IReadOnlyList<(long Seq, DateTimeOffset AckedAt)> Acknowledged => _acknowledged.List;

    /// <summary>The key of write <paramref name="seq"/> in this run.</summary>
    public string Key(long seq) => $"{_redis.KeyPrefix}:{_acknowledged.Run}:{seq.ToString(CultureInfo.InvariantCulture)}";

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        InterlockedMax(ref _attempted, seq);
        bool ok = await _connection.RunAsync(db => db.StringSetAsync(Key(seq), seq, KeyTtl), ct);
        if (!ok) return AttemptOutcome.Failure(ErrorKind.Other, "SET was not acknowledged");
        _acknowledged.Add(seq, Time.GetUtcNow());
        return AttemptOutcome.Success(null, "OK");
    }

    protected override AttemptOutcome ClassifyFailure(Exception e) => RedisProbeConnection.Classify(e);

    public override Task PrepareAsync(CancellationToken ct) => RedisProbeConnection.WarmUpAsync(Spec, _redis.Password, ct);

    /// <summary>
    /// Reads back every key this run attempted (acknowledged or not, as sql_write reads every row of its run)
    /// on the final primary and compares them with the acknowledgements; then deletes them there.
    /// </summary>
    public async Task<WriteLoss> ReadBackAsync(CancellationToken ct)
    {
        string at = _redis.VerifyAddress ?? Spec.Target;
        long last = Interlocked.Read(ref _attempted);
        var present = new HashSet<long>();
        try
        {
            using ConnectionMultiplexer mux = await RedisProbeConnection.ConnectAsync(at, _redis.VerifyAddress is null ? _redis.Password : _redis.VerifyPassword, ReadBackTimeout, ct);
            IDatabase db = mux.GetDatabase();
            for (long from = 0; from <= last; from += Batch)
            {
                long[] seqs = [.. LongRange(from, Math.Min(Batch, last - from + 1))];
                RedisValue[] values = await db.StringGetAsync([.. seqs.Select(s => (RedisKey)Key(s))]).WaitAsync(ct);
                for (int i = 0; i < seqs.Length; i++)
                    if (values[i] == seqs[i]) present.Add(seqs[i]);
            }
            WriteLoss loss = _acknowledged.Compare(present);
            for (long from = 0; from <= last; from += Batch)
                await db.KeyDeleteAsync([.. LongRange(from, Math.Min(Batch, last - from + 1)).Select(s => (RedisKey)Key(s))]).WaitAsync(ct);
            return loss;
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException)
        {
            throw new DrillException($"probe {Spec.Name}: could not read the writes back on {at}: {e.Message}");
        }
    }

    private static IEnumerable<long> LongRange(long from, long count)
    {
        for (long i = 0; i < count; i++) yield return from + i;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref target);
            if (value <= seen) return;
        }
        while (Interlocked.CompareExchange(ref target, value, seen) != seen);
    }

    public override void Dispose()
    {
        _connection.Dispose();
        base.Dispose();
    }
}
