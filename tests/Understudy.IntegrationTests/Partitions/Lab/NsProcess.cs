using System.Diagnostics;
using Understudy.Hosting;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Partitions.Lab;

/// <summary>
/// A program run inside a host's namespace with <c>ip netns exec</c>, which execs it: the PID is the program's own, so
/// it is stopped by that PID only. Its output goes to a log file in the run's folder.
/// </summary>
public sealed class NsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _gate = new();

    private NsProcess(Process process, string logFile, StreamWriter log)
    {
        _process = process;
        LogFile = logFile;
        _log = log;
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string LogFile { get; }

    public static NsProcess Start(LabHost host, string logFile, string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "netns", "exec", host.Netns, program }.Concat(args)) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var ns = new NsProcess(process, logFile, log);
        process.OutputDataReceived += (_, e) => ns.Append(e.Data);
        process.ErrorDataReceived += (_, e) => ns.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return ns;
    }

    public string LogTail(int lines = 30)
    {
        lock (_gate)
        {
            try
            {
                using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
            }
            catch (IOException e) { return $"(no log: {e.Message})"; }
        }
    }

    /// <summary>SIGTERM by PID, then SIGKILL by PID if it has not exited within <paramref name="patience"/>.</summary>
    public Task StopAsync(TimeSpan? patience = null) => Fixtures.ProcessStop.TermThenKillAsync(_process, patience ?? TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        lock (_gate) _log.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            try { _log.WriteLine(line); }
            catch (ObjectDisposedException) { }
        }
    }
}
