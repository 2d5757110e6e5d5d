using System.Collections.Immutable;
using StackExchange.Redis;
using Understudy.Core.Detection;
using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>
/// Connects (a new connection each time) and reads the server's role (<c>ROLE</c>) and replication state
/// (<c>INFO replication</c>): on a primary its offset and which members replicate from it online; on a replica the
/// offset it has received and processed. Offsets are bytes of the replication stream, as LSNs are for PostgreSQL,
/// so the same lag rules apply.
/// </summary>
public sealed class RedisHealthCheck(ServiceSpec service) : IHealthCheck
{
    private readonly RedisSpec _redis = service.Redis ?? RedisSpec.Default;

    public async Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
    {
        await using ConnectionMultiplexer mux = await RedisConnections.ConnectAsync(_redis, member.Address, service.Check.Timeout, ct);
        IServer server = RedisConnections.Server(mux);
        RedisResult role = await server.ExecuteAsync("ROLE").WaitAsync(ct);
        IReadOnlyDictionary<string, string> info = await RedisConnections.ReplicationInfoAsync(server).WaitAsync(ct);
        return Read(service, ((RedisResult[])role!)[0].ToString(), info);
    }

    /// <summary>The first connection of the process loads and compiles the client library: paid outside the timeout (as for PostgreSQL).</summary>
    public Task WarmUpAsync(MemberSpec member, CancellationToken ct) => CheckAsync(member, ct);

    /// <summary>What a check saw, from ROLE's first element and INFO replication.</summary>
    public static CheckOutcome Read(ServiceSpec service, string role, IReadOnlyDictionary<string, string> info)
    {
        if (role is "slave" or "replica")
        {
            long? processed = RedisConnections.Long(info, "slave_repl_offset");
            // Redis 7 reports what it read from the link apart from what it processed; older servers only the latter.
            long? received = RedisConnections.Long(info, "slave_read_repl_offset") ?? processed;
            string link = info.GetValueOrDefault("master_link_status", "unknown");
            string of = $"{info.GetValueOrDefault("master_host", "?")}:{info.GetValueOrDefault("master_port", "?")}";
            return new CheckOutcome(true, $"replica of {of} (link {link}), offset {received?.ToString() ?? "none"}",
                new ReplicationView(true, null, received, processed, null, [], []));
        }
        if (role != "master") return new CheckOutcome(false, $"unexpected role '{role}' (a sentinel?)");

        long offset = RedisConnections.Long(info, "master_repl_offset") ?? 0;
        var online = ImmutableArray.CreateBuilder<string>();
        foreach (var (key, value) in info)
        {
            if (!key.StartsWith("slave", StringComparison.Ordinal) || !char.IsAsciiDigit(key[^1])) continue;
            IReadOnlyDictionary<string, string> replica = RedisConnections.Pairs(value);
            if (replica.GetValueOrDefault("state") != "online" || !int.TryParse(replica.GetValueOrDefault("port"), out int port)) continue;
            string ip = replica.GetValueOrDefault("ip", "");
            if (service.Members.FirstOrDefault(m => RedisConnections.IsAt(m.Address, ip, port)) is { } m) online.Add(m.Name);
        }
        return new CheckOutcome(true, $"primary at offset {offset}, {online.Count} replica{(online.Count == 1 ? "" : "s")} online",
            new ReplicationView(false, offset, null, null, null, [], online.ToImmutable()));
    }
}
