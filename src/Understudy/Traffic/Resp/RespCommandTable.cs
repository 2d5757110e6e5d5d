using StackExchange.Redis;
using Understudy.Checks;
using Understudy.Core.Topology;

namespace Understudy.Traffic.Resp;

/// <summary>
/// Which commands write, read from the server's own table (<c>COMMAND</c>): a command flagged <c>write</c> or
/// <c>may_replicate</c> (so EVAL, FCALL and PUBLISH count) is followed by a WAIT. A command the table does not know
/// (a module's, or the table could not be read) counts as a write: an extra WAIT is only slower, a missing one loses data.
/// </summary>
public sealed class RespCommandTable
{
    private readonly HashSet<string> _notWrites;

    public RespCommandTable(IEnumerable<string> notWrites) => _notWrites = new HashSet<string>(notWrites, StringComparer.OrdinalIgnoreCase);

    /// <summary>Before a table is read: every command waits.</summary>
    public static readonly RespCommandTable Unknown = new([]);

    public bool IsWrite(string command) => !_notWrites.Contains(command);

    public int Known => _notWrites.Count;

    public static async Task<RespCommandTable> LoadAsync(RedisSpec redis, HostPort at, CancellationToken ct)
    {
        await using ConnectionMultiplexer mux = await RedisConnections.ConnectAsync(redis, at, TimeSpan.FromSeconds(5), ct);
        RedisResult table = await RedisConnections.Server(mux).ExecuteAsync("COMMAND");
        var notWrites = new List<string>();
        foreach (RedisResult entry in (RedisResult[])table!)
        {
            var fields = (RedisResult[])entry!;
            string name = fields[0].ToString();
            if (!Writes(fields)) notWrites.Add(name);
        }
        return new RespCommandTable(notWrites);
    }

    // A container (CONFIG, FUNCTION, …) counts as a write when any of its subcommands (Redis 7: the tenth field) does.
    private static bool Writes(RedisResult[] fields)
    {
        string[] flags = [.. ((RedisResult[])fields[2]!).Select(f => f.ToString())];
        if (flags.Contains("write") || flags.Contains("may_replicate")) return true;
        return fields.Length > 9 && fields[9].Resp2Type == ResultType.Array && ((RedisResult[])fields[9]!).Any(sub => Writes((RedisResult[])sub!));
    }
}
