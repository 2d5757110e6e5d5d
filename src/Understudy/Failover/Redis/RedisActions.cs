using StackExchange.Redis;
using Understudy.Checks;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Failover.Redis;

/// <summary>
/// What the executor does to Redis servers, through raw commands (REPLICAOF, ROLE, INFO, CLIENT PAUSE) rather than
/// the library's ReplicaOfAsync, which also writes a tie-breaker key and publishes on a channel. Each action is
/// idempotent: promoting a primary, or pointing a replica at the primary it already follows, changes nothing.
/// </summary>
public sealed class RedisActions(ServiceSpec service, TimeProvider time)
{
    /// <summary>Actions wait longer than a check: REPLICAOF NO ONE on a busy server, a paused old primary.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a fenced old primary that still answers is kept from taking writes: until the decider demotes it.</summary>
    public static readonly TimeSpan FencePause = TimeSpan.FromMinutes(10);

    private readonly RedisSpec _redis = service.Redis ?? RedisSpec.Default;

    /// <summary>REPLICAOF NO ONE, verified by ROLE; the detail names the offset it took over at.</summary>
    public async Task<(bool, string)> PromoteAsync(PromoteMember step, CancellationToken ct)
    {
        long started = time.GetTimestamp();
        await using ConnectionMultiplexer mux = await ConnectAsync(step.Member, ct);
        IServer server = RedisConnections.Server(mux);
        if (await RoleAsync(server) == "master") return (true, $"{step.Member} was already a primary");
        await server.ExecuteAsync("REPLICAOF", "NO", "ONE");
        if (await RoleAsync(server) is var role and not "master") return (false, $"{step.Member} still reports role {role} after REPLICAOF NO ONE");
        long? offset = RedisConnections.Long(await RedisConnections.ReplicationInfoAsync(server), "master_repl_offset");
        string took = $"REPLICAOF NO ONE took {time.GetElapsedTime(started).TotalMilliseconds:0} ms, verified role master at offset {offset}";
        if (!service.Failover.Synchronous) return (true, took);
        // Strict: the server itself refuses a write no replica can receive, before running it (a refusal after the fact
        // would let a retried INCR apply twice). Not strict: whatever it inherited must not refuse writes.
        string minimum = service.Failover.SynchronousStrict ? "1" : "0";
        await server.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", minimum);
        return (true, $"{took}; min-replicas-to-write {minimum}");
    }

    /// <summary>REPLICAOF the new primary on each replica; every one is tried, failures are listed.</summary>
    public async Task<(bool, string)> RepointAsync(RepointStandbys step, CancellationToken ct)
    {
        var failures = new List<string>();
        foreach (string replica in step.Standbys)
        {
            try { await ReplicaOfAsync(replica, step.NewPrimary, ct); }
            catch (Exception e) when (IsRedisFailure(e)) { failures.Add($"{replica}: {e.Message}"); }
        }
        return failures.Count == 0
            ? (true, $"{string.Join(", ", step.Standbys)} replicate from {step.NewPrimary}")
            : (false, string.Join("; ", failures));
    }

    /// <summary>
    /// Counts the bytes of writes <see cref="DemoteMember.Member"/> holds that the primary lacks, then makes it a replica of
    /// the primary. Same history means its replication ID is the one the primary took over from (master_replid2); what it
    /// wrote past the offset the primary took over at (second_repl_offset − 1) is what the resync discards.
    /// </summary>
    public async Task<(bool Ok, string Detail, long? LostBytes)> DemoteAsync(DemoteMember step, CancellationToken ct)
    {
        await using ConnectionMultiplexer old = await ConnectAsync(step.Member, ct);
        IServer server = RedisConnections.Server(old);
        IReadOnlyDictionary<string, string> mine = await RedisConnections.ReplicationInfoAsync(server);
        long? lost = null;
        if (mine.GetValueOrDefault("role") == "master")
        {
            await using ConnectionMultiplexer primary = await ConnectAsync(step.Primary, ct);
            IReadOnlyDictionary<string, string> theirs = await RedisConnections.ReplicationInfoAsync(RedisConnections.Server(primary));
            lost = LostBytes(mine, theirs);
        }
        await ReplicaOfAsync(step.Member, step.Primary, ct, old);
        // A pause left by the fence would hold this replica's own replication writes back: lift it.
        await server.ExecuteAsync("CLIENT", "UNPAUSE");
        return (true, $"REPLICAOF {service.Member(step.Primary).Address} done, role verified", lost);
    }

    /// <summary>Null when the histories differ (it restarted empty, or was never the primary's predecessor).</summary>
    public static long? LostBytes(IReadOnlyDictionary<string, string> old, IReadOnlyDictionary<string, string> primary)
    {
        if (old.GetValueOrDefault("master_replid") is not { Length: > 0 } id || id != primary.GetValueOrDefault("master_replid2")) return null;
        if (RedisConnections.Long(old, "master_repl_offset") is not { } wrote || RedisConnections.Long(primary, "second_repl_offset") is not { } second) return null;
        return Math.Max(0, wrote - (second - 1));
    }

    /// <summary>
    /// Fence, on an old primary that still answers: writes paused (reads go on) until the decider sees it writable out of
    /// turn after the switch and demotes it. Best effort: a dead server is fenced by being dead.
    /// </summary>
    public async Task<string> PauseWritesAsync(string member, CancellationToken ct)
    {
        try
        {
            // Bounded by the check timeout: a primary that just failed its checks rarely answers, and every moment
            // here delays the promotion (a 1 s bound was the whole tail of the crash bench's RTO).
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quick.CancelAfter(service.Check.Timeout * 2);
            await using ConnectionMultiplexer mux = await RedisConnections.ConnectAsync(_redis, service.Member(member).Address, service.Check.Timeout, quick.Token);
            await RedisConnections.Server(mux).ExecuteAsync("CLIENT", "PAUSE", (long)FencePause.TotalMilliseconds, "WRITE");
            return $"CLIENT PAUSE WRITE on {member}";
        }
        catch (Exception e) when (IsRedisFailure(e) || e is OperationCanceledException)
        {
            return $"{member} did not answer CLIENT PAUSE (down or cut off)";
        }
    }

    /// <summary>
    /// Switchover: the old primary takes no more writes (CLIENT PAUSE WRITE, reads go on) and its replication offset is
    /// then final; the target must reach it before it is promoted. The pause outlasts the catch-up wait; the switchover
    /// lifts it (a replica of the new primary, or given back).
    /// </summary>
    public async Task<(bool Ok, string Detail, long? Offset)> PauseForSwitchoverAsync(StopMember step, CancellationToken ct)
    {
        await using ConnectionMultiplexer mux = await ConnectAsync(step.Member, ct);
        IServer server = RedisConnections.Server(mux);
        TimeSpan pause = PostgresDefaults.CatchUpTimeout + TimeSpan.FromSeconds(30);
        await server.ExecuteAsync("CLIENT", "PAUSE", (long)pause.TotalMilliseconds, "WRITE");
        IReadOnlyDictionary<string, string> info = await RedisConnections.ReplicationInfoAsync(server);
        if (info.GetValueOrDefault("role") != "master") return (false, $"{step.Member} is not a primary (role {info.GetValueOrDefault("role")})", null);
        long? offset = RedisConnections.Long(info, "master_repl_offset");
        return (offset is not null, $"CLIENT PAUSE WRITE for {pause.TotalSeconds:0} s, offset {offset}", offset);
    }

    /// <summary>Switchover: wait (bounded) until the target has processed the old primary's final offset.</summary>
    public async Task<(bool, string)> AwaitOffsetAsync(AwaitReplay step, CancellationToken ct)
    {
        long started = time.GetTimestamp();
        long? reached = null;
        string? error = null;
        while (time.GetElapsedTime(started) < PostgresDefaults.CatchUpTimeout)
        {
            try
            {
                await using ConnectionMultiplexer mux = await ConnectAsync(step.Member, ct);
                IServer server = RedisConnections.Server(mux);
                while (time.GetElapsedTime(started) < PostgresDefaults.CatchUpTimeout)
                {
                    reached = RedisConnections.Long(await RedisConnections.ReplicationInfoAsync(server), "slave_repl_offset");
                    if (reached >= step.Lsn) return (true, $"{step.Member} reached offset {reached} in {time.GetElapsedTime(started).TotalMilliseconds:0} ms");
                    await Task.Delay(TimeSpan.FromMilliseconds(20), time, ct);
                }
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                error = e.Message;
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
            }
        }
        return (false, $"{step.Member} reached only offset {reached?.ToString() ?? "none"} of {step.Lsn} within {PostgresDefaults.CatchUpTimeout.TotalSeconds:0} s"
                       + (error is null ? "" : $" (last error: {error})"));
    }

    /// <summary>Switchover called off: the old primary takes writes again. Idempotent.</summary>
    public async Task<(bool, string)> ResumeWritesAsync(string member, CancellationToken ct)
    {
        await using ConnectionMultiplexer mux = await ConnectAsync(member, ct);
        await RedisConnections.Server(mux).ExecuteAsync("CLIENT", "UNPAUSE");
        return (true, $"CLIENT UNPAUSE on {member}");
    }

    /// <summary>Switchover done: the old primary replicates from the new one, then its pause is lifted (it is a replica now).</summary>
    public async Task<(bool, string)> FollowAsync(FollowPrimary step, CancellationToken ct)
    {
        await using ConnectionMultiplexer mux = await ConnectAsync(step.Member, ct);
        await ReplicaOfAsync(step.Member, step.Primary, ct, mux);
        await RedisConnections.Server(mux).ExecuteAsync("CLIENT", "UNPAUSE");
        return (true, $"REPLICAOF {service.Member(step.Primary).Address}, CLIENT UNPAUSE");
    }

    /// <summary>A rejoin: REPLICAOF the primary (again), then wait until the link is up, bounded.</summary>
    public async Task<(bool, string)> RejoinAsync(string member, string primary, CancellationToken ct)
    {
        await using ConnectionMultiplexer mux = await ConnectAsync(member, ct);
        await ReplicaOfAsync(member, primary, ct, mux);
        IServer server = RedisConnections.Server(mux);
        long started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
        {
            if ((await RedisConnections.ReplicationInfoAsync(server)).GetValueOrDefault("master_link_status") == "up")
                return (true, $"{member} replicates from {primary} (link up after {time.GetElapsedTime(started).TotalMilliseconds:0} ms)");
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
        return (false, $"{member} is a replica of {primary} but its link did not come up within 60 s");
    }

    private async Task ReplicaOfAsync(string replica, string primary, CancellationToken ct, ConnectionMultiplexer? open = null)
    {
        HostPort to = service.Member(primary).Address;
        ConnectionMultiplexer mux = open ?? await ConnectAsync(replica, ct);
        try
        {
            IServer server = RedisConnections.Server(mux);
            await server.ExecuteAsync("REPLICAOF", to.Host, to.Port);
            if (await RoleAsync(server) is var role and not ("slave" or "replica"))
                throw new RedisException($"{replica} still reports role {role} after REPLICAOF {to}");
        }
        finally
        {
            if (open is null) await mux.DisposeAsync();
        }
    }

    private Task<ConnectionMultiplexer> ConnectAsync(string member, CancellationToken ct) =>
        RedisConnections.ConnectAsync(_redis, service.Member(member).Address, Timeout, ct);

    private static async Task<string> RoleAsync(IServer server) => ((RedisResult[])(await server.ExecuteAsync("ROLE"))!)[0].ToString();

    public static bool IsRedisFailure(Exception e) => e is RedisException or RedisConnectionException or RedisTimeoutException or TimeoutException;
}
