using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>
/// A primary and its streaming standbys (pg1, pg2 …) in one temp folder owned by postgres, each on a free
/// port of 127.0.0.1 with its socket in that folder. Disposing stops every server by PID and deletes the folder.
/// </summary>
public sealed class PgCluster : IAsyncDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);
    private readonly List<PgServer> _servers = [];

    private PgCluster() { }

    public TempDir Dir { get; } = new();
    public PgServer Primary => _servers[0];
    public IReadOnlyList<PgServer> Standbys => _servers[1..];
    /// <summary>Primary first.</summary>
    public IReadOnlyList<PgServer> Servers => _servers;

    /// <summary>
    /// Returns once every standby streams; with <paramref name="synchronous"/>, the first standby is the synchronous one
    /// (<c>FIRST 1 (pg2, pg3 …)</c>) and the others potential.
    /// </summary>
    public static async Task<PgCluster> StartAsync(int standbys = 1, bool synchronous = false)
    {
        var cluster = new PgCluster();
        try
        {
            await PgTools.ChownAsync(cluster.Dir.Path);
            await cluster.StartPrimaryAsync();
            for (int i = 0; i < standbys; i++) await cluster.AddStandbyAsync($"pg{i + 2}");
            if (synchronous && standbys > 0) await cluster.MakeSynchronousAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartPrimaryAsync()
    {
        var primary = NewServer("pg1");
        // C locale and UTF-8 whatever the machine's; checksums because pg_rewind needs them (or wal_log_hints).
        // --no-sync skips initdb's final fsync of the new folder (seconds when the disk is busy): our crashes kill
        // processes, not the machine, so the page cache holds. The servers themselves keep fsync on.
        await primary.WithLogAsync(() => PgTools.RunAsync(Dir.Path, ToolTimeout, "initdb", "--data-checksums", "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync", "-D", primary.DataDir));
        await File.AppendAllTextAsync(Path.Combine(primary.DataDir, "postgresql.conf"), $"""

            # Understudy test fixture. fsync stays on: the tests are about what a crash loses.
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{Dir.Path}'
            wal_level = replica
            max_wal_senders = 10
            max_replication_slots = 10
            hot_standby = on
            wal_keep_size = '256MB'
            shared_buffers = 32MB
            logging_collector = off
            fsync = on
            # A standby that lost its primary retries every 5 s by default; tests wait on reconnects, not on that pause.
            wal_retrieve_retry_interval = '1s'
            {OwnSettings(primary)}
            """);
        // Trust on loopback only: the servers listen on 127.0.0.1 and nothing else.
        await File.WriteAllTextAsync(Path.Combine(primary.DataDir, "pg_hba.conf"), """
            local all         all                trust
            local replication all                trust
            host  all         all   127.0.0.1/32 trust
            host  replication all   127.0.0.1/32 trust

            """);
        await primary.StartAsync();
    }

    /// <summary>A base backup of the primary with its own port and name, streaming under application_name = its name.</summary>
    private async Task AddStandbyAsync(string name)
    {
        var standby = NewServer(name);
        // --no-sync as for initdb: only the copy's final fsync is skipped.
        await Primary.WithLogAsync(() => PgTools.RunAsync(Dir.Path, ToolTimeout, "pg_basebackup", "-h", "127.0.0.1", "-p", $"{Primary.Port}", "-U", "postgres",
            "-D", standby.DataDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"));
        // The copied postgresql.conf carries the primary's port and name; later lines win.
        await File.AppendAllTextAsync(Path.Combine(standby.DataDir, "postgresql.conf"), $"\n{OwnSettings(standby)}\n");
        // -R wrote a primary_conninfo without application_name (and with a passfile in postgres's home); this later one wins.
        await File.AppendAllTextAsync(Path.Combine(standby.DataDir, "postgresql.auto.conf"), $"primary_conninfo = '{ConnInfo(Primary, standby)}'\n");
        await standby.StartAsync();
        await PgReplication.WaitStreamingAsync(Primary, standby);
    }

    /// <summary>What pg_stat_replication shows the standby as, and what it connects with.</summary>
    public static string ConnInfo(PgServer primary, PgServer standby) =>
        $"host=127.0.0.1 port={primary.Port} user=postgres application_name={standby.Name}";

    /// <summary>ALTER SYSTEM writes the primary's postgresql.auto.conf only: base backups taken earlier do not inherit it.</summary>
    private async Task MakeSynchronousAsync()
    {
        string names = string.Join(", ", Standbys.Select(s => $"\"{s.Name}\""));
        // One statement per command: ALTER SYSTEM refuses to run in the implicit transaction of a batch.
        await Primary.ExecAsync($"ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 ({names})'");
        await Primary.ExecAsync("ALTER SYSTEM SET synchronous_commit = on");
        await Primary.ExecAsync("SELECT pg_reload_conf()");
        // A standby reports its flush position, which sync_state needs, on new WAL or every wal_receiver_status_interval
        // (10 s). A transactional message is WAL with no table: its commit waits for the standby, whose reply settles it.
        await Primary.ExecAsync("SELECT pg_logical_emit_message(true, 'understudy-fixture', 'synchronous')");
        await PgReplication.WaitSyncAsync(Primary, Standbys[0]);
        // Each walsender takes the new setting when it handles the reload, an idle one later than the first: the others
        // show "async" until then.
        foreach (PgServer other in Standbys.Skip(1)) await PgReplication.WaitSyncAsync(Primary, other, "potential");
    }

    private static string OwnSettings(PgServer server) => $"""
        port = {server.Port}
        cluster_name = '{server.Name}'
        """;

    /// <summary>Listed before it starts, so that disposing stops it whatever happens after.</summary>
    private PgServer NewServer(string name)
    {
        var server = new PgServer(name, Dir.Path, FreePort.Next());
        _servers.Add(server);
        return server;
    }

    /// <summary>
    /// Stops every server at once (each by PID, SIGKILL when pg_ctl fails), then deletes the folder. Immediate mode:
    /// the data is about to go, so a shutdown checkpoint would only cost fsyncs.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try { await Task.WhenAll(_servers.Select(s => s.StopAsync("immediate"))); }
        finally { Dir.Dispose(); }
    }
}

