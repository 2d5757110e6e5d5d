using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Understudy.Hosting;
using Understudy.Traffic.Switches;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>
/// Debian's <c>haproxy</c> in the foreground (<c>-db</c>) from a config in a temp folder: an http frontend on a free
/// 127.0.0.1 port, one backend of the given servers, the stats socket at level admin in the folder and on a free
/// 127.0.0.1 port. Stopped by PID.
/// </summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly string _config;
    private readonly ConcurrentQueue<string> _output;
    private Process _process;

    private HaproxyProcess(string config, string socket, int frontendPort, Process process, ConcurrentQueue<string> output)
    {
        _output = output;
        _config = config;
        Socket = socket;
        FrontendPort = frontendPort;
        _process = process;
    }

    public string Socket { get; }

    /// <summary>The same runtime API on TCP (<c>stats socket ipv4@…</c>).</summary>
    public required string AdminAddress { get; init; }

    public int FrontendPort { get; }
    public Uri FrontendUrl => new($"http://127.0.0.1:{FrontendPort}/");
    public int Pid => _process.Id;

    /// <param name="servers">Server name → port on 127.0.0.1, in backend <paramref name="backend"/>.</param>
    public static async Task<HaproxyProcess> StartAsync(TempDir dir, string backend, IReadOnlyList<(string Name, int Port)> servers)
    {
        string socket = dir.File("haproxy.sock");
        int frontend = FreePort.Next(), admin = FreePort.Next();
        string config = dir.File("haproxy.cfg");
        await File.WriteAllTextAsync(config, $"""
            global
                stats socket {socket} level admin
                stats socket ipv4@127.0.0.1:{admin} level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:{frontend}
                default_backend {backend}
            backend {backend}
            {string.Join("\n", servers.Select(s => $"    server {s.Name} 127.0.0.1:{s.Port.ToString(CultureInfo.InvariantCulture)}"))}

            """);
        var output = new ConcurrentQueue<string>();
        var h = new HaproxyProcess(config, socket, frontend, Launch(config, output), output) { AdminAddress = $"127.0.0.1:{admin}" };
        try
        {
            await h.WaitAnsweringAsync();
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
        return h;
    }

    /// <summary>What haproxy wrote to stderr (warnings, alerts).</summary>
    public string Output => string.Join('\n', _output);

    private static Process Launch(string config, ConcurrentQueue<string> output)
    {
        var p = Process.Start(new ProcessStartInfo("haproxy", ["-db", "-f", config]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("haproxy did not start");
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) output.Enqueue(line); };
        p.BeginErrorReadLine();
        return p;
    }

    public HaproxyRuntime Runtime => new(Socket, null, TimeSpan.FromSeconds(2));

    private async Task WaitAnsweringAsync()
    {
        Process p = _process;
        await Eventually.TrueAsync(async () =>
        {
            if (p.HasExited) throw new InvalidOperationException($"haproxy exited with {p.ExitCode}: {Output}");
            try { return (await Runtime.InfoAsync(CancellationToken.None)).Pid == p.Id; }
            catch (HaproxyException) { return false; }
        }, "haproxy's stats socket");
    }

    /// <summary>Stops it by PID and starts it again from the same config: a new pid, every server as the config has it.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        _process.Dispose();
        _process = Launch(_config, _output);
        await WaitAnsweringAsync();
    }

    /// <summary><c>show servers state</c>: server → ready, maint or drain.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatesAsync(string backend) =>
        (await Runtime.ServersAsync(backend, CancellationToken.None)).ToDictionary(s => s.Key, s => s.Value.Word);

    private Task StopAsync() => ProcessStop.TermThenKillAsync(_process, TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
