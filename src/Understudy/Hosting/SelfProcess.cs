using System.Diagnostics;

namespace Understudy.Hosting;

/// <summary>Starts this program again as a child (sample apps for the demo, tests and benchmarks).</summary>
public static class SelfProcess
{
    public static ProcessStartInfo StartInfo(params string[] args)
    {
#pragma warning disable IL3000 // empty in a single-file publish: then the running executable is the whole program
        string dll = typeof(SelfProcess).Assembly.Location;
#pragma warning restore IL3000
        string apphost = dll.Length == 0 ? Environment.ProcessPath! : Path.ChangeExtension(dll, null);
        var psi = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { dll } };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        return psi;
    }

    /// <summary>Starts a child and drains its output so it never blocks on a full pipe.</summary>
    public static Process Start(Action<string>? onOutput, params string[] args) => Start(onOutput, null, args);

    /// <param name="environment">Added to (or replacing in) the inherited environment.</param>
    public static Process Start(Action<string>? onOutput, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        StartIn(null, onOutput, environment, args);

    /// <param name="workingDirectory">The child's working directory; this process's when null.</param>
    public static Process StartIn(string? workingDirectory, Action<string>? onOutput, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var p = new Process { StartInfo = StartInfo(args), EnableRaisingEvents = true };
        if (workingDirectory is not null) p.StartInfo.WorkingDirectory = workingDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) p.StartInfo.Environment[name] = value;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutput?.Invoke(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) onOutput?.Invoke(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }
}
