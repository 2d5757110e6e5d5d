using System.Runtime.InteropServices;

namespace Understudy.Hosting;

/// <summary>POSIX signals by PID; the BCL only sends SIGKILL (Process.Kill).</summary>
public static class Signals
{
    public const int Hangup = 1;
    public const int Interrupt = 2;
    public const int Term = 15;
    public const int Kill = 9;
    public const int Stop = 19;
    public const int Cont = 18;

    /// <summary>Sends <paramref name="signal"/>; false when there is no such process (or no permission).</summary>
    public static bool TrySend(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>
    /// Lets SIGINT and SIGTERM reach this process even if its parent left them blocked (a blocked signal mask survives
    /// exec): otherwise Ctrl-C and the stop would wait, pending, for good. Unblocked on the calling thread, which is
    /// enough for a signal sent to the process. The BCL has no call for the signal mask.
    /// </summary>
    public static void Unblock()
    {
        const int unblock = 1; // SIG_UNBLOCK on Linux
        var set = new ulong[16]; // glibc's sigset_t (128 bytes): one bit per signal, signal n at bit n - 1
        set[0] = (1UL << (Interrupt - 1)) | (1UL << (Term - 1));
        pthread_sigmask(unblock, set, IntPtr.Zero);
    }

    [DllImport("libc")]
    private static extern int pthread_sigmask(int how, ulong[] set, IntPtr oldSet);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
