using System.Net;
using Npgsql;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Postgres;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Partitions.Lab;

/// <summary>
/// A PostgreSQL 15 primary (pg1) and its synchronous standby (pg2), each in its host's namespace on port 5432 of that
/// host's address, with a <see cref="DelayRelay"/> in front on port 6432: the members' configured address is the
/// relay's. The standby streams from the primary directly. The test itself reads them over their Unix sockets, which
/// no partition touches. Rows of <c>writes</c> are what the clients' acknowledged inserts must be found in.
/// </summary>
public sealed class NsPostgres : IAsyncDisposable
{
    public const int ServerPort = 5432, RelayPort = 6432;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);
    private readonly List<PgServer> _servers = [];
    private readonly Dictionary<string, DelayRelay> _relays = [];
    private readonly Dictionary<string, LabHost> _hosts = [];
    private readonly string _root, _logs;

    /// <param name="logs">Where the servers' logs are kept after the run; the data lives under a short temp folder, since a
    /// Unix socket's path is limited to 107 bytes and a run's folder can be deeper than that.</param>
    private NsPostgres(string logs)
    {
        _logs = logs;
        _root = Directory.CreateTempSubdirectory("usp-pg-").FullName;
    }

    public IReadOnlyList<PgServer> Servers => _servers;
    public PgServer this[string name] => _servers.Single(s => s.Name == name);
    public DelayRelay Relay(string member) => _relays[member];
    /// <summary>Where delay can be made: the relays, by host.</summary>
    public LabDelays Delays => new(_relays);
    public string MemberAddress(string member) => $"{_hosts[member].Address}:{RelayPort}";

    /// <summary>pg1 on <paramref name="primaryHost"/>, pg2 on <paramref name="standbyHost"/> (host names = member names).</summary>
    public static async Task<NsPostgres> StartAsync(LabHost primaryHost, LabHost standbyHost, string folder)
    {
        var pg = new NsPostgres(folder); // the lab deletes the run folder's subfolders (data) and keeps its files
        try
        {
            Directory.CreateDirectory(pg._root);
            foreach (var h in new[] { primaryHost, standbyHost }) Directory.CreateDirectory(Path.Combine(pg._root, h.Name));
            await PgTools.ChownAsync(pg._root);
            await pg.StartPrimaryAsync(primaryHost);
            await pg.StartStandbyAsync(standbyHost);
            await pg.MakeSynchronousAsync();
            await pg.ExecAsync(pg._servers[0], "CREATE TABLE writes (id text PRIMARY KEY, client text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
            foreach (var h in new[] { primaryHost, standbyHost })
                pg._relays[h.Name] = new DelayRelay(h, RelayPort, new IPEndPoint(h.Address, ServerPort));
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    private PgServer NewServer(LabHost host)
    {
        var server = new PgServer(host.Name, Path.Combine(_root, host.Name), ServerPort);
        _servers.Add(server);
        _hosts[host.Name] = host;
        return server;
    }

    private async Task StartPrimaryAsync(LabHost host)
    {
        var primary = NewServer(host);
        await primary.WithLogAsync(() => PgTools.RunAsync(primary.SocketDir, ToolTimeout, "initdb", "--data-checksums", "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync", "-D", primary.DataDir));
        await File.AppendAllTextAsync(Path.Combine(primary.DataDir, "postgresql.conf"), $"""

            # Understudy partition suite. fsync stays on: the suite is about what a partition loses.
            wal_level = replica
            max_wal_senders = 10
            max_replication_slots = 10
            hot_standby = on
            wal_keep_size = '256MB'
            shared_buffers = 32MB
            max_connections = 200
            logging_collector = off
            fsync = on
            wal_retrieve_retry_interval = '1s'
            {OwnSettings(primary, host)}
            """);
        await File.WriteAllTextAsync(Path.Combine(primary.DataDir, "pg_hba.conf"), """
            local all         all                 trust
            local replication all                 trust
            host  all         all   127.0.0.1/32  trust
            host  all         all   10.77.0.0/16  trust
            host  replication all   10.77.0.0/16  trust

            """);
        await primary.StartInAsync(host);
    }

    private async Task StartStandbyAsync(LabHost host)
    {
        PgServer primary = _servers[0], standby = NewServer(host);
        // Over the primary's Unix socket: the base backup is setup, not part of what the network does.
        await primary.WithLogAsync(() => PgTools.RunAsync(standby.SocketDir, ToolTimeout, "pg_basebackup", "-h", primary.SocketDir, "-p", $"{primary.Port}",
            "-U", "postgres", "-D", standby.DataDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"));
        await File.AppendAllTextAsync(Path.Combine(standby.DataDir, "postgresql.conf"), $"\n{OwnSettings(standby, host)}\n");
        await File.AppendAllTextAsync(Path.Combine(standby.DataDir, "postgresql.auto.conf"),
            $"primary_conninfo = 'host={_hosts[primary.Name].Address} port={ServerPort} user=postgres application_name={standby.Name} connect_timeout=2'\n");
        await standby.StartInAsync(host);
        await WaitAsync(primary, $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{standby.Name}' AND state = 'streaming'", $"{standby.Name} streaming");
    }

    /// <summary>As PgCluster does: pg2 the synchronous standby before the first client write, so every acknowledged write is on both.</summary>
    private async Task MakeSynchronousAsync()
    {
        PgServer primary = _servers[0], standby = _servers[1];
        await ExecAsync(primary, $"ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (\"{standby.Name}\")'");
        await ExecAsync(primary, "SELECT pg_reload_conf()");
        await ExecAsync(primary, "SELECT pg_logical_emit_message(true, 'understudy-partitions', 'synchronous')");
        await WaitAsync(primary, $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{standby.Name}' AND sync_state = 'sync'", $"{standby.Name} synchronous");
    }

    private static string OwnSettings(PgServer server, LabHost host) => $"""
        port = {server.Port}
        cluster_name = '{server.Name}'
        listen_addresses = '{host.Address}'
        unix_socket_directories = '{server.SocketDir}'
        """;

    private async Task WaitAsync(PgServer server, string countSql, string what)
    {
        try { await Eventually.TrueAsync(async () => await ScalarAsync<long>(server, countSql) > 0, what); }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"{e.Message}\n" + string.Join('\n', _servers.Select(s => $"--- {s.LogFile} ---\n{s.LogTail(15)}")), e);
        }
    }

    public async Task<T> ScalarAsync<T>(PgServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.SocketConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecAsync(PgServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.SocketConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Every id in <c>writes</c> on <paramref name="server"/>.</summary>
    public async Task<HashSet<string>> WrittenIdsAsync(PgServer server)
    {
        await using var conn = new NpgsqlConnection(server.SocketConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM writes", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Relays first (they are this process's), then each server by PID (immediate: the data goes next).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var r in _relays.Values) await r.DisposeAsync();
        await Task.WhenAll(_servers.Select(s => s.StopAsync("immediate")));
        Directory.CreateDirectory(_logs);
        foreach (var s in _servers.Where(s => File.Exists(s.LogFile))) File.Copy(s.LogFile, Path.Combine(_logs, $"postgres-{s.Name}.log"), overwrite: true);
        Directory.Delete(_root, recursive: true);
    }
}
