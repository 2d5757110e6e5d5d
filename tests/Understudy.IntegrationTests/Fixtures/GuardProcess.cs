using System.Collections.Concurrent;
using System.Diagnostics;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary><c>understudy guard -c FILE</c> as a real child process, observed through its output.</summary>
public sealed class GuardProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();

    private GuardProcess(string config) => Process = SelfProcess.Start(_output.Enqueue, "guard", "-c", config);

    public Process Process { get; }

    public string Output => string.Join('\n', _output);

    public static GuardProcess Start(string config) => new(config);

    /// <summary>Waits for a line of its output that contains <paramref name="text"/>.</summary>
    public Task SaidAsync(string text, TimeSpan? within = null) => Eventually.TrueAsync(() =>
    {
        if (Process.HasExited) throw new InvalidOperationException($"the guard exited with {Process.ExitCode}:\n{Output}");
        return _output.Any(l => l.Contains(text, StringComparison.Ordinal));
    }, $"the guard to say \"{text}\"\n{Output}", within);

    /// <summary>SIGTERM (it revokes its lease) and a wait for the exit; SIGKILL by PID if it does not exit in time.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Signals.TrySend(Process.Id, Signals.Term);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await Process.WaitForExitAsync(patience.Token); }
            catch (OperationCanceledException)
            {
                Signals.TrySend(Process.Id, Signals.Kill);
                await Process.WaitForExitAsync();
            }
        }
        Process.Dispose();
    }
}
