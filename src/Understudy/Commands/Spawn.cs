using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Understudy.Commands;

/// <summary>A started command: its PID, its process group, and what tells it apart from a later process given the same PID, or on another host.</summary>
public sealed record SpawnedProcess(int Pid, int ProcessGroup, long StartTicks, string BootId, string Host);

/// <summary>
/// Starts a command in a process group of its own with posix_spawn(3), its stdin /dev/null and its stdout and stderr
/// one pipe. <see cref="System.Diagnostics.Process"/> cannot do this: the child must join its group before it execs
/// (setpgid on it afterwards fails with EACCES, and anything it forked first would escape the group), and going
/// through setsid(1) would report a missing program as an exit code of setsid rather than as not started.
/// POSIX_SPAWN_SETPGROUP does it in the child, between fork and exec. Killing the group then reaches every process
/// the command started, also those whose parent already exited; and a terminal's Ctrl-C to the controller does not reach it.
/// </summary>
internal static class Spawn
{
    private const short SetProcessGroup = 0x02, SetSignalDefaults = 0x04, SetSignalMask = 0x08; // glibc and musl values
    private const int CloseOnExec = 0x80000, ReadOnly = 0, Interrupted = 4;

    /// <summary>posix_spawnattr_t, posix_spawn_file_actions_t and sigset_t are opaque; these sizes cover every libc's layout.</summary>
    private const int OpaqueSize = 1024;

    /// <summary>Starts <paramref name="argv"/>; the caller reads <paramref name="output"/> (and closes it) and reaps the PID with <see cref="Wait"/>.</summary>
    /// <exception cref="Win32Exception">The program could not be started (not found, not executable).</exception>
    public static int Start(IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string>? environment, out int output)
    {
        int[] pipe = new int[2];
        if (pipe2(pipe, CloseOnExec) != 0) throw new Win32Exception(Marshal.GetLastPInvokeError());
        IntPtr attr = Alloc(), actions = Alloc(), none = Alloc(), all = Alloc();
        IntPtr[] args = Strings(argv), env = Strings(Environment(environment));
        try
        {
            Check(posix_spawnattr_init(attr));
            Check(posix_spawnattr_setflags(attr, SetProcessGroup | SetSignalDefaults | SetSignalMask));
            Check(posix_spawnattr_setpgroup(attr, 0)); // 0: a new group, numbered as the child's PID
            // The runtime ignores SIGPIPE and may block signals on this thread; the command starts as from a shell.
            Check(sigemptyset(none));
            Check(sigfillset(all));
            Check(posix_spawnattr_setsigmask(attr, none));
            Check(posix_spawnattr_setsigdefault(attr, all));
            Check(posix_spawn_file_actions_init(actions));
            // dup2 before the open: a daemon without stdin may have been given fd 0 for the pipe itself.
            Check(posix_spawn_file_actions_adddup2(actions, pipe[1], 1));
            Check(posix_spawn_file_actions_adddup2(actions, pipe[1], 2));
            Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ReadOnly, 0));
            Check(posix_spawn_file_actions_addchdir_np(actions, workingDirectory));
            // A relative path with a slash is found from the working directory (the config's folder), as a shell there would; a bare name on PATH.
            Check(posix_spawnp(out int pid, argv[0], actions, attr, args, env));
            output = pipe[0];
            return pid;
        }
        catch
        {
            close(pipe[0]);
            throw;
        }
        finally
        {
            close(pipe[1]);
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attr);
            foreach (IntPtr p in new[] { attr, actions, none, all }) Marshal.FreeHGlobal(p);
            foreach (IntPtr s in args.Concat(env)) Marshal.FreeCoTaskMem(s);
        }
    }

    /// <summary>
    /// Blocks until <paramref name="pid"/> exits and reaps it: its exit code, or 128 + the signal that ended it.
    /// Null if it was reaped elsewhere (only when our own parent set SIGCHLD to be ignored, and the runtime then reaps every child).
    /// </summary>
    public static int? Wait(int pid)
    {
        while (true)
        {
            if (waitpid(pid, out int status, 0) == pid) return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
            if (Marshal.GetLastPInvokeError() != Interrupted) return null;
        }
    }

    private static IEnumerable<string> Environment(IReadOnlyDictionary<string, string>? extra)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables()) all[(string)e.Key] = (string?)e.Value ?? "";
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) all[name] = value;
        return all.Select(p => $"{p.Key}={p.Value}");
    }

    /// <summary>A NULL-terminated array of UTF-8 strings, as exec takes them.</summary>
    private static IntPtr[] Strings(IEnumerable<string> strings) => [.. strings.Select(Marshal.StringToCoTaskMemUTF8), IntPtr.Zero];

    /// <summary>Left uninitialised: the *_init and sig*set calls fill them in.</summary>
    private static IntPtr Alloc() => Marshal.AllocHGlobal(OpaqueSize);

    private static void Check(int error)
    {
        if (error != 0) throw new Win32Exception(error);
    }

    [DllImport("libc", SetLastError = true)] private static extern int pipe2(int[] fds, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int waitpid(int pid, out int status, int options);
    [DllImport("libc")] private static extern int sigemptyset(IntPtr set);
    [DllImport("libc")] private static extern int sigfillset(IntPtr set);
    [DllImport("libc")] private static extern int posix_spawnattr_init(IntPtr attr);
    [DllImport("libc")] private static extern int posix_spawnattr_destroy(IntPtr attr);
    [DllImport("libc")] private static extern int posix_spawnattr_setflags(IntPtr attr, short flags);
    [DllImport("libc")] private static extern int posix_spawnattr_setpgroup(IntPtr attr, int group);
    [DllImport("libc")] private static extern int posix_spawnattr_setsigmask(IntPtr attr, IntPtr set);
    [DllImport("libc")] private static extern int posix_spawnattr_setsigdefault(IntPtr attr, IntPtr set);
    [DllImport("libc")] private static extern int posix_spawn_file_actions_init(IntPtr actions);
    [DllImport("libc")] private static extern int posix_spawn_file_actions_destroy(IntPtr actions);
    [DllImport("libc")] private static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int to);
    [DllImport("libc")] private static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
    [DllImport("libc")] private static extern int posix_spawn_file_actions_addchdir_np(IntPtr actions, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);
    [DllImport("libc")] private static extern int posix_spawnp(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string file, IntPtr actions, IntPtr attr, IntPtr[] argv, IntPtr[] envp);
}
