using System.Diagnostics;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Fixtures.Etcd;

/// <summary>
/// One etcd 3.4 member on 127.0.0.1 (client and peer ports free), in a temporary data folder, known by PID: stopped,
/// paused and resumed by signals to that PID only. Auto-compaction keeps an hour of history, as DESIGN asks of a
/// production etcd; tests that need compaction compact by hand. With <see cref="TestCertificates"/> it serves https
/// only and asks every client for a certificate from the same CA.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30), StopTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDir _folder = new();
    private readonly int _peerPort = FreePort.Next();
    private readonly object _logLock = new();
    private readonly TestCertificates? _tls;
    private Process? _process;

    private EtcdServer(TestCertificates? tls)
    {
        ClientPort = FreePort.Next();
        _tls = tls;
    }

    public int ClientPort { get; }
    public string Url => $"{(_tls is null ? "http" : "https")}://127.0.0.1:{ClientPort}";
    public int Pid => _process?.Id ?? 0;
    public string DataDir => _folder.File("data");
    public string LogFile => _folder.File("etcd.log");

    public static async Task<EtcdServer> StartAsync(TestCertificates? tls = null)
    {
        var server = new EtcdServer(tls);
        await server.LaunchAsync();
        return server;
    }

    /// <summary>SIGTERM by PID, then SIGKILL by PID if it has not exited within 10 s.</summary>
    public Task StopAsync() => ProcessStop.TermThenKillAsync(_process, StopTimeout);

    /// <summary>
    /// SIGSTOP: connections stay open and nothing answers, as with a host that froze or a network that drops packets.
    /// Returns once every thread is stopped: the signal is delivered a moment after kill() returns, and a request sent
    /// in that moment would still be answered.
    /// </summary>
    public Task PauseAsync() => Freezer.FreezeAsync(Running.Id, "etcd");

    public Task ResumeAsync() => Freezer.ThawAsync(Running.Id, "etcd");

    /// <summary>Stops it and starts it again on the same data folder and ports; returns once it answers.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await LaunchAsync();
    }

    public string LogTail(int lines = 30)
    {
        lock (_logLock) return File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(lines)) : "(no log)";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _folder.Dispose();
    }

    private Process Running => _process is { HasExited: false } p ? p : throw new InvalidOperationException($"etcd is not running\n{LogTail()}");

    private async Task LaunchAsync()
    {
        string peer = $"http://127.0.0.1:{_peerPort}";
        var start = new ProcessStartInfo("/usr/bin/etcd")
        {
            ArgumentList =
            {
                "--name", "it", "--data-dir", DataDir,
                "--listen-client-urls", Url, "--advertise-client-urls", Url,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", $"it={peer}", "--initial-cluster-state", "new",
                "--auto-compaction-retention=1", "--logger", "zap", "--log-level", "warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_tls is { } t)
            foreach (string a in (string[])["--cert-file", t.ServerCert, "--key-file", t.ServerKey, "--trusted-ca-file", t.Ca, "--client-cert-auth"])
                start.ArgumentList.Add(a);
        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = HealthClient();
        try
        {
            await Eventually.TrueAsync(async () => !_process.HasExited && await IsHealthyAsync(http) || _process.HasExited, "etcd to answer /health", StartTimeout);
        }
        catch (TimeoutException e) { throw new InvalidOperationException($"{e.Message}\n{LogTail()}", e); }
        if (_process.HasExited) throw new InvalidOperationException($"etcd exited with {_process.ExitCode}\n{LogTail()}");
    }

    // Whether etcd answers, not whether its certificate is good: that is for the tests to find out.
    private HttpClient HealthClient()
    {
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        if (_tls is { } t) handler.ClientCertificates.Add(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(t.ClientCert, t.ClientKey));
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(1) };
    }

    private async Task<bool> IsHealthyAsync(HttpClient http)
    {
        try { return (await http.GetStringAsync($"{Url}/health")).Contains("\"health\":\"true\"", StringComparison.Ordinal); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_logLock) File.AppendAllText(LogFile, line + "\n");
    }
}
