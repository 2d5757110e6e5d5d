using System.Diagnostics;
using Understudy.Hosting;

namespace Understudy.Demo;

/// <summary>A sample-app child process, started and stopped by PID.</summary>
public sealed class SampleAppProcess : IDisposable
{
    private SampleAppProcess(Process process, string name, int port)
    {
        Process = process;
        Name = name;
        Port = port;
    }

    public Process Process { get; }
    public string Name { get; }
    public int Port { get; }
    public int Pid => Process.Id;

    /// <summary>Starts it and waits (bounded) until /health answers.</summary>
    public static async Task<SampleAppProcess> StartAsync(string name, int port, TimeSpan within, params string[] extraArgs)
    {
        var p = SelfProcess.Start(null, ["sample-app", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", name, .. extraArgs]);
        var app = new SampleAppProcess(p, name, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            if (p.HasExited) throw new InvalidOperationException($"sample-app {name} exited with code {p.ExitCode} before answering");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        app.Dispose();
        throw new TimeoutException($"sample-app {name} did not answer on 127.0.0.1:{port} within {within.TotalSeconds:0} s");
    }

    /// <summary>SIGKILL by PID: the process gets no chance to close anything.</summary>
    public void Kill()
    {
        if (!Process.HasExited) Process.Kill();
        Process.WaitForExit(5000);
    }

    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
