using System.Diagnostics;
using System.Text;

namespace Understudy.Commands;

/// <summary>What a command did: its exit code (null when killed at the timeout or never started) and the tail of its output.</summary>
public sealed record CommandOutcome(string Command, int? ExitCode, bool TimedOut, TimeSpan Timeout, TimeSpan Duration, string Output, bool Interrupted = false)
{
    public bool Succeeded => ExitCode == 0;

    public string Summary => TimedOut ? $"killed at its {Timeout.TotalSeconds:0.###} s timeout"
        : Interrupted ? $"interrupted after {Duration.TotalMilliseconds:0} ms"
        : ExitCode is { } code ? $"exited {code} after {Duration.TotalMilliseconds:0} ms"
        : "could not start";
}

/// <summary>
/// Runs a command without a shell (arguments passed as given), kills its process tree at the timeout,
/// and keeps the last few KiB of stdout and stderr. It waits for the process, not for its output pipes:
/// a background child that keeps them open (`sleep 60 &`) must not hold anything up.
/// </summary>
public sealed class CommandRunner(string workingDirectory, TimeProvider time)
{
    private const int OutputTail = 4096;
    private static readonly TimeSpan OutputDrain = TimeSpan.FromMilliseconds(500);

    public async Task<CommandOutcome> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
    {
        string command = string.Join(' ', argv);
        var output = new StringBuilder();
        var stdoutClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderrClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
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
            EnableRaisingEvents = true,
        };
        foreach (string arg in argv.Skip(1)) process.StartInfo.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) process.StartInfo.Environment[name] = value;
        process.OutputDataReceived += (_, e) => Append(output, e.Data, stdoutClosed);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data, stderrClosed);
        process.Exited += (_, _) => exited.TrySetResult();
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new CommandOutcome(command, null, false, timeout, time.GetElapsedTime(started), e.Message);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        bool timedOut = false;
        try
        {
            await exited.Task.WaitAsync(timeout, time, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            timedOut = e is TimeoutException;
            process.Kill(entireProcessTree: true);
            await exited.Task.WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        TimeSpan duration = time.GetElapsedTime(started);
        // Output that is already written arrives promptly; a pipe held open by a leftover child does not end.
        await Task.WhenAll(stdoutClosed.Task, stderrClosed.Task).WaitAsync(OutputDrain, time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        bool interrupted = !timedOut && ct.IsCancellationRequested;
        int? exitCode = timedOut || interrupted || !process.HasExited ? null : process.ExitCode;
        lock (output)
            return new CommandOutcome(command, exitCode, timedOut, timeout, duration, output.ToString(), interrupted);
    }

    private static void Append(StringBuilder output, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
            if (output.Length > OutputTail) output.Remove(0, output.Length - OutputTail);
        }
    }
}
