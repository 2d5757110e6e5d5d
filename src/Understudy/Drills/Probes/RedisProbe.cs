using StackExchange.Redis;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>
/// A Redis read probe: each attempt sends PING, or GETs a fixed key (<see cref="RedisProbeSpec.ReadKey"/>), on a
/// new connection unless keepalive. A success is any reply (a missing key's nil too); a Redis error reply
/// (LOADING, NOAUTH …) is a failure.
/// </summary>
public sealed class RedisProbe(ProbeSpec spec, TimeProvider time) : OpenLoopProbe(spec, time)
{
    private readonly RedisProbeSpec _redis = spec.Redis ?? RedisProbeSpec.Default;
    private readonly RedisProbeConnection _connection = new(spec.Target, (spec.Redis ?? RedisProbeSpec.Default).Password, spec.Timeout, spec.KeepAlive);

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct) => _redis.Command switch
    {
        RedisReadCommand.Get => AttemptOutcome.Success(null,
            await _connection.RunAsync(db => db.StringGetAsync(RedisProbeSpec.ReadKey), ct) is { IsNull: false } v ? $"GET: {v.Length()} bytes" : "GET: nil"),
        _ => AttemptOutcome.Success(null, $"PONG in {(await _connection.RunAsync(db => db.PingAsync(), ct)).TotalMilliseconds:0.#} ms"),
    };

    protected override AttemptOutcome ClassifyFailure(Exception e) => RedisProbeConnection.Classify(e);

    public override Task PrepareAsync(CancellationToken ct) => RedisProbeConnection.WarmUpAsync(Spec, _redis.Password, ct);

    public override void Dispose()
    {
        _connection.Dispose();
        base.Dispose();
    }
}
