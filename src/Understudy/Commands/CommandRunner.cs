using System.Text;
using Microsoft.Win32.SafeHandles;
using Understudy.Hosting;

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
/// Runs a command without a shell (arguments passed as given) in a process group of its own (<see cref="Spawn"/>),
/// kills the whole group at the timeout, and keeps the last few KiB of stdout and stderr. It waits for the process,
/// not for its output pipe: a background child that keeps it open (`sleep 60 &`) must not hold anything up.
/// </summary>
public sealed class CommandRunner(string workingDirectory, TimeProvider time)
{
    private const int OutputTail = 4096;
    private static readonly TimeSpan OutputDrain = TimeSpan.FromMilliseconds(500);

    /// <param name="started">Told of the process as soon as it runs, before it is waited for (a hook's start is journaled).</param>
    public async Task<CommandOutcome> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null,
        Action<SpawnedProcess>? started = null)
    {
        string command = string.Join(' ', argv);
        long start = time.GetTimestamp();
        int pid, pipe;
        try
        {
            pid = Spawn.Start(argv, workingDirectory, environment, out pipe);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandOutcome(command, null, false, timeout, time.GetElapsedTime(start), $"{argv[0]}: {e.Message}");
        }
        // Read before the process is reaped, while its PID cannot name another process.
        SpawnedProcess process = ProcessGroups.Identify(pid);
        var output = new StringBuilder();
        Task closed = ReadAsync(pipe, output);
        Task<int?> exited = Task.Factory.StartNew(() => Spawn.Wait(pid), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        started?.Invoke(process);

        bool timedOut = false;
        try
        {
            await exited.WaitAsync(timeout, time, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            timedOut = e is TimeoutException;
            // The group, not just the process: a child whose parent already exited is no longer in its tree.
            Signals.TrySend(-process.ProcessGroup, Signals.Kill);
            await ((Task)exited).WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        TimeSpan duration = time.GetElapsedTime(start);
        // Output that is already written arrives promptly; a pipe held open by a leftover child does not end.
        await closed.WaitAsync(OutputDrain, time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        bool interrupted = !timedOut && ct.IsCancellationRequested;
        int? exitCode = timedOut || interrupted || !exited.IsCompletedSuccessfully ? null : exited.Result;
        lock (output)
            return new CommandOutcome(command, exitCode, timedOut, timeout, duration, output.ToString(), interrupted);
    }

    /// <summary>Reads the output pipe to its end on a thread of its own (a pipe read blocks), keeping the tail.</summary>
    private static Task ReadAsync(int pipe, StringBuilder output) => Task.Factory.StartNew(() =>
    {
        try
        {
            using var lines = new StreamReader(new FileStream(new SafeFileHandle(pipe, ownsHandle: true), FileAccess.Read, 1));
            while (lines.ReadLine() is { } line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                    if (output.Length > OutputTail) output.Remove(0, output.Length - OutputTail);
                }
            }
        }
        catch (IOException)
        {
            // the output is a tail at best
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
