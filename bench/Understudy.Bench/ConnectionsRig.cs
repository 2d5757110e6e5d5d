using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// The <c>conns</c> bench's processes, each allowed <see cref="Files"/> open files: two sample apps, a controller with
/// its proxy in front of them (checks every 1 s) and the client (<see cref="ConnectionsClient"/>), spoken to through
/// its stdin and stdout. Everything is stopped by PID on dispose.
/// </summary>
internal sealed class ConnectionsRig : IDisposable
{
    /// <summary>The open-file limit of every process here (at most the hard limit prlimit may set).</summary>
    public int Files { get; }
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("understudy-conns-").FullName;
    private readonly StringBuilder _output = new();
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly List<Process> _started = [];
    private Process? _client;

    public int PortA { get; } = FreePort.Next();
    public int PortB { get; } = FreePort.Next();
    public int ProxyPort { get; } = FreePort.Next();
    public int ApiPort { get; } = FreePort.Next();
    public Process Controller { get; private set; } = null!;

    private ConnectionsRig(int files) => Files = files;

    public static async Task<ConnectionsRig> StartAsync(int files)
    {
        var rig = new ConnectionsRig(files);
        try
        {
            string config = Path.Combine(rig._dir, "understudy.yaml");
            await File.WriteAllTextAsync(config, $"controller: {{ api: 127.0.0.1:{rig.ApiPort}, journal: journal.db }}\n"
                + Configs.Service(rig.PortA, rig.PortB, rig.ProxyPort, "http", "{ path: /health, interval: 1s, timeout: 500ms, fall: 3, rise: 2 }", cooldown: "30s", hold: "5s"));
            foreach (var (name, port) in new[] { ("web-a", rig.PortA), ("web-b", rig.PortB) })
                await rig.StartAsync(port, "sample-app", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", name);
            rig.Controller = await rig.StartAsync(rig.ProxyPort, "serve", "-c", config);
            await Rig.WaitForMembersUpAsync(rig.ApiPort, Limit);
            return rig;
        }
        catch
        {
            rig.Dispose();
            throw;
        }
    }

    private async Task<Process> StartAsync(int port, params string[] args)
    {
        Process p = Children.SelfWithOpenFiles(Files, _output, args);
        _started.Add(p);
        await Children.WaitForPortAsync(port, Limit, p, () => _output.ToString());
        return p;
    }

    /// <summary>Starts the client: this bench again, as <c>conns-client</c>, with its own open-file limit.</summary>
    public void StartClient(TextWriter log)
    {
        string self = Environment.ProcessPath!;
        string[] bench = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, typeof(ConnectionsRig).Assembly.Location] : [self];
        var psi = new ProcessStartInfo("prlimit", [$"--nofile={Files}:{Files}", "--", .. bench, "conns-client", "--port", ProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        _client = Process.Start(psi)!;
        _started.Add(_client);
        _client.OutputDataReceived += (_, e) => { if (e.Data is not null) _replies.Writer.TryWrite(e.Data); };
        _client.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine($"  client: {e.Data}"); };
        _client.BeginOutputReadLine();
        _client.BeginErrorReadLine();
    }

    public async Task SendAsync(string command)
    {
        await _client!.StandardInput.WriteLineAsync(command);
        await _client.StandardInput.FlushAsync();
    }

    /// <summary>The client's next JSON line, within <paramref name="within"/>.</summary>
    public async Task<JsonElement> ReplyAsync(TimeSpan within, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(within);
        try { return JsonDocument.Parse(await _replies.Reader.ReadAsync(timeout.Token)).RootElement; }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the client did not answer within {within.TotalSeconds:0} s{(_client!.HasExited ? $" (it exited with {_client.ExitCode})" : "")}");
        }
    }

    /// <summary>The last line the apps and the controller wrote that contains <paramref name="text"/>, if any.</summary>
    public string? OutputLine(string text)
    {
        lock (_output) return _output.ToString().Split('\n').LastOrDefault(l => l.Contains(text, StringComparison.Ordinal))?.Trim();
    }

    /// <summary>What the apps and the controller wrote, the last lines: why one of them ended early.</summary>
    public string OutputTail()
    {
        lock (_output) return string.Join('\n', _output.ToString().Split('\n').TakeLast(30));
    }

    public void Dispose()
    {
        try { _client?.StandardInput.Close(); } catch (IOException) { } // the client ends when its stdin does
        _client?.WaitForExit(5_000);
        foreach (Process p in Enumerable.Reverse(_started)) Children.Stop(p);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
