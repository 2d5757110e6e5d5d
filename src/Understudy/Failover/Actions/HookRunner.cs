using System.Diagnostics;
using System.Text;
using Understudy.Core.Topology;

namespace Understudy.Failover.Actions;

/// <summary>What one hook did: its exit code (null when killed at the timeout) and the tail of its output.</summary>
public sealed record HookOutcome(string Command, int? ExitCode, bool TimedOut, TimeSpan Duration, string Output)
{
    public bool Succeeded => ExitCode == 0;

    public string Summary => TimedOut ? $"killed after the {Duration.TotalSeconds:0.#} s timeout"
        : ExitCode is { } code ? $"exited {code} after {Duration.TotalMilliseconds:0} ms"
        : "could not start";
}

/// <summary>
/// Runs a hook command (no shell: arguments are passed as given, placeholders filled in), kills its
/// whole process tree at the timeout, and keeps the last few KiB of stdout and stderr for the journal.
/// </summary>
public sealed class HookRunner(string workingDirectory, TimeProvider time)
{
    private const int OutputTail = 4096;

    public async Task<HookOutcome> RunAsync(HookSpec hook, IReadOnlyDictionary<string, string> placeholders, CancellationToken stopping)
    {
        string[] argv = [.. hook.Exec.Select(a => Fill(a, placeholders))];
        string command = string.Join(' ', argv);
        var output = new StringBuilder();
        long started = time.GetTimestamp();
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(argv[0])
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        foreach (string arg in argv.Skip(1)) process.StartInfo.ArgumentList.Add(arg);
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new HookOutcome(command, null, false, time.GetElapsedTime(started), e.Message);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(hook.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !stopping.IsCancellationRequested;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        process.WaitForExit(); // flushes the redirected streams
        lock (output)
            return new HookOutcome(command, timedOut ? null : process.ExitCode, timedOut, time.GetElapsedTime(started), output.ToString());
    }

    /// <summary>Replaces <c>{{name}}</c> placeholders; the config validator has already refused unknown ones.</summary>
    public static string Fill(string arg, IReadOnlyDictionary<string, string> placeholders)
    {
        foreach (var (name, value) in placeholders) arg = arg.Replace("{{" + name + "}}", value, StringComparison.Ordinal);
        return arg;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output)
        {
            output.AppendLine(line);
            if (output.Length > OutputTail) output.Remove(0, output.Length - OutputTail);
        }
    }
}
