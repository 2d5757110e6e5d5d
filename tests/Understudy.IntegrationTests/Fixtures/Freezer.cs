using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures.Postgres;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>
/// SIGSTOP and SIGCONT by PID, returning once every thread of the process has stopped (or runs again): the signal is
/// delivered a moment after kill() returns, and work done in that moment would blur what the test measures.
/// </summary>
internal static class Freezer
{
    public static Task FreezeAsync(int pid, string what) => SignalAsync(pid, Signals.Stop, stopped: true, what);

    public static Task ThawAsync(int pid, string what) => SignalAsync(pid, Signals.Cont, stopped: false, what);

    private static async Task SignalAsync(int pid, int signal, bool stopped, string what)
    {
        Signals.TrySend(pid, signal);
        bool IsStopped(int thread) => ProcFs.State(thread) is 'T' or 't';
        await Eventually.TrueAsync(() => stopped ? Threads(pid).All(IsStopped) : !Threads(pid).Any(IsStopped),
            $"{what}'s threads to {(stopped ? "stop" : "run")}", TimeSpan.FromSeconds(5));
    }

    private static IEnumerable<int> Threads(int pid)
    {
        try { return Directory.GetDirectories($"/proc/{pid}/task").Select(t => int.Parse(Path.GetFileName(t))); }
        catch (DirectoryNotFoundException) { return []; }
    }
}
