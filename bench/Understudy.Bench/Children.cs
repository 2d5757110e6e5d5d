using System.Diagnostics;
using System.Net.Sockets;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>Child processes the benchmark starts and stops by PID: the controller, HAProxy and etcd.</summary>
internal static class Children
{
    /// <summary>The controller as a child; its output is kept to explain a failed start.</summary>
    public static Process Controller(string config, System.Text.StringBuilder output) =>
        SelfProcess.Start(line => { lock (output) output.AppendLine(line); }, "serve", "-c", config);

    /// <summary>
    /// This program (<c>serve</c>, <c>sample-app</c>) as a child allowed <paramref name="files"/> open files, through prlimit, which
    /// execs it: the PID is the program's.
    /// </summary>
    public static Process SelfWithOpenFiles(int files, System.Text.StringBuilder output, params string[] args)
    {
        ProcessStartInfo self = SelfProcess.StartInfo(args);
        return External("prlimit", [$"--nofile={files}:{files}", "--", self.FileName, .. self.ArgumentList], output);
    }

    public static Process Haproxy(string config, System.Text.StringBuilder output) => External("haproxy", ["-f", config, "-db"], output);

    /// <summary>One etcd 3.4 member on 127.0.0.1 with its data in <paramref name="dataDir"/>.</summary>
    public static Process Etcd(string dataDir, int clientPort, int peerPort, System.Text.StringBuilder output)
    {
        string client = $"http://127.0.0.1:{clientPort}", peer = $"http://127.0.0.1:{peerPort}";
        return External("/usr/bin/etcd", ["--name", "bench", "--data-dir", dataDir, "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"bench={peer}", "--initial-cluster-state", "new",
            "--log-level", "warn", "--logger", "zap"], output);
    }

    public static Process External(string file, string[] args, System.Text.StringBuilder output)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static async Task WaitForPortAsync(int port, TimeSpan within, Process owner, Func<string> output)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (owner.HasExited) throw new InvalidOperationException($"{owner.StartInfo.FileName} exited with {owner.ExitCode} before listening on {port}:\n{output()}");
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
