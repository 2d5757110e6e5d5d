using System.Diagnostics;
using System.Net.Sockets;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>Child processes the benchmark starts and stops by PID: the controller and HAProxy.</summary>
internal static class Children
{
    public static Process Controller(string config) => SelfProcess.Start(null, "serve", "-c", config);

    public static Process Haproxy(string config)
    {
        var psi = new ProcessStartInfo("haproxy", ["-f", config, "-db"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static async Task WaitForPortAsync(int port, TimeSpan within)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (sw.Elapsed < within) { await Task.Delay(50); }
        }
    }

    public static void Stop(Process p)
    {
        if (!p.HasExited)
        {
            Signals.TrySend(p.Id, Signals.Term);
            if (!p.WaitForExit(10_000)) p.Kill();
        }
        p.Dispose();
    }
}
