using System.Diagnostics;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// A throwaway PostgreSQL 15 on 127.0.0.1 in a temp folder owned by postgres (its programs refuse root), with
/// pgbench's tables; stopped by the postmaster's PID on dispose.
/// </summary>
internal sealed class PgServer : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("understudy-bench-pg-").FullName;
    private readonly System.Text.StringBuilder _output = new();
    private Process? _server;

    public int Port { get; } = FreePort.Next();
    private string DataDir => Path.Combine(_dir, "data");

    public static async Task<PgServer> StartAsync(int scale)
    {
        var pg = new PgServer();
        try
        {
            await RunAsync("chown", ["postgres:postgres", pg._dir]);
            await RunAsync("runuser", ["-u", "postgres", "--", $"{Bin}/initdb", "-U", "postgres", "--auth=trust", "--no-sync", "-D", pg.DataDir]);
            pg._server = Children.External("runuser", ["-u", "postgres", "--", $"{Bin}/postgres", "-D", pg.DataDir, "-p", $"{pg.Port}",
                "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={pg._dir}", "-c", "max_connections=100"], pg._output);
            await Children.WaitForPortAsync(pg.Port, Limit, pg._server, () => pg._output.ToString());
            await RunAsync("pgbench", ["-h", "127.0.0.1", "-p", $"{pg.Port}", "-U", "postgres", "-i", "-q", "-s", $"{scale}", "postgres"]);
            return pg;
        }
        catch
        {
            pg.Dispose();
            throw;
        }
    }

    /// <summary>Runs a program to its end (bounded); its output, or an exception carrying it.</summary>
    public static async Task<string> RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        psi.Environment["LC_ALL"] = "C";
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Limit);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} took more than {Limit.TotalSeconds:0} s");
        }
        string output = await stdout + await stderr;
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}:\n{output}");
    }

    public void Dispose()
    {
        if (_server is { HasExited: false })
        {
            // runuser does not pass signals on: a fast shutdown goes to the postmaster itself.
            string pidFile = Path.Combine(DataDir, "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out int postmaster)) Signals.TrySend(postmaster, Signals.Interrupt);
            if (!_server.WaitForExit(20_000)) _server.Kill(entireProcessTree: true);
        }
        _server?.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
