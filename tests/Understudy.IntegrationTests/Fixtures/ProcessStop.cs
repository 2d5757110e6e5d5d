using System.Diagnostics;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>How every fixture stops the server it started: by its PID, never by name.</summary>
public static class ProcessStop
{
    /// <summary>
    /// SIGCONT (a paused process cannot act on SIGTERM), SIGTERM, then SIGKILL if it has not exited within
    /// <paramref name="patience"/>; waits until it has exited. Nothing to do for a process already gone.
    /// </summary>
    public static async Task TermThenKillAsync(Process? process, TimeSpan patience)
    {
        if (process is not { HasExited: false } p) return;
        Signals.TrySend(p.Id, Signals.Cont);
        Signals.TrySend(p.Id, Signals.Term);
        using var cts = new CancellationTokenSource(patience);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            Signals.TrySend(p.Id, Signals.Kill);
            await p.WaitForExitAsync();
        }
    }
}
