using System.Runtime.InteropServices;

namespace Understudy.Hosting;

/// <summary>POSIX signals by PID; the BCL only sends SIGKILL (Process.Kill).</summary>
public static class Signals
{
    public const int Term = 15;
    public const int Kill = 9;
    public const int Stop = 19;
    public const int Cont = 18;

    /// <summary>Sends <paramref name="signal"/>; false when there is no such process (or no permission).</summary>
    public static bool TrySend(int pid, int signal) => kill(pid, signal) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
