using System.Net;
using StackExchange.Redis;
using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>
/// One short-lived connection to one Redis member (StackExchange.Redis, admin commands allowed), for a check or an
/// action: a fresh one each time, so a server that stopped accepting is seen, never a pooled link that still works.
/// </summary>
public static class RedisConnections
{
    public static async Task<ConnectionMultiplexer> ConnectAsync(RedisSpec redis, HostPort at, TimeSpan timeout, CancellationToken ct)
    {
        int ms = (int)Math.Clamp(timeout.TotalMilliseconds, 50, int.MaxValue);
        var options = new ConfigurationOptions
        {
            EndPoints = { { at.Host, at.Port } },
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectRetry = 0,
            ConnectTimeout = ms,
            SyncTimeout = ms,
            AsyncTimeout = ms,
            ClientName = "understudy",
            User = redis.User,
            Password = redis.Password,
            Ssl = redis.Tls,
            // No tie-breaker key and no configuration channel: the library would otherwise write to the servers
            // (DEL/PUBLISH) around role changes, and only Understudy decides roles here.
            TieBreaker = "",
            ConfigurationChannel = "",
            // One endpoint, no topology discovery: a member is checked, never the servers it points at.
            Proxy = Proxy.None,
            HeartbeatInterval = TimeSpan.FromSeconds(30),
        };
        if (redis.TlsCa is { } ca) options.TrustIssuer(ca);
        // ConnectAsync takes no token; the connect timeout above bounds it and the caller's token stops the wait. A
        // connection that succeeds after the caller gave up (a check past its timeout) is closed then, not leaked.
        Task<ConnectionMultiplexer> connecting = ConnectionMultiplexer.ConnectAsync(options);
        try { return await connecting.WaitAsync(ct); }
        catch (OperationCanceledException)
        {
            _ = connecting.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
    }

    public static IServer Server(ConnectionMultiplexer mux) => mux.GetServers()[0];

    /// <summary>INFO replication as field → value.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReplicationInfoAsync(IServer server) =>
        Fields(await server.InfoRawAsync("replication") ?? "");

    public static IReadOnlyDictionary<string, string> Fields(string info) =>
        info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#')).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);

    /// <summary>"ip=127.0.0.1,port=6380,state=online,offset=42,lag=0" as field → value.</summary>
    public static IReadOnlyDictionary<string, string> Pairs(string value) =>
        value.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);

    public static long? Long(IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out string? v) && long.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : null;

    /// <summary>Whether a replica reported at <paramref name="ip"/>:<paramref name="port"/> is <paramref name="member"/> (its host a name or an address).</summary>
    public static bool IsAt(HostPort member, string ip, int port)
    {
        if (member.Port != port) return false;
        if (member.Host == ip) return true;
        if (!IPAddress.TryParse(ip, out IPAddress? seen)) return false;
        if (IPAddress.TryParse(member.Host, out IPAddress? configured)) return configured.Equals(seen);
        try { return Dns.GetHostAddresses(member.Host).Any(a => a.Equals(seen) || (seen.IsIPv4MappedToIPv6 && a.Equals(seen.MapToIPv4()))); }
        catch (System.Net.Sockets.SocketException) { return false; }
    }
}
