using Understudy.Core.Journal;
using Understudy.Hosting;

namespace Understudy.Commands;

/// <summary>
/// What /proc says of a command's process group, and the ending of one a previous controller left running. A PID
/// alone may since belong to another process: the leader must still have the start time recorded when it started,
/// on the same boot. Its group number cannot be given to a new group while any member of the old one lives (the
/// kernel keeps a PID in use while it names a group), so the members of a group whose leader is gone are its own.
/// </summary>
internal static class ProcessGroups
{
    /// <summary>How long a stale group gets after SIGTERM before SIGKILL, and after SIGKILL before it counts as surviving.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>This boot of this host; a PID from another one means nothing here.</summary>
    public static string BootId { get; } = Read("/proc/sys/kernel/random/boot_id")?.Trim() ?? "unknown";

    /// <summary>This host, across reboots: its machine id, else its name.</summary>
    public static string Host { get; } = (Read("/etc/machine-id") ?? Read("/var/lib/dbus/machine-id"))?.Trim() is { Length: > 0 } id ? id : Environment.MachineName;

    /// <summary>What identifies <paramref name="pid"/> later; read before it is reaped, so the PID is still its own.</summary>
    public static SpawnedProcess Identify(int pid) => Stat(pid) is { } s
        ? new SpawnedProcess(pid, s.Group, s.StartTicks, BootId, Host)
        : new SpawnedProcess(pid, pid, 0, BootId, Host);

    /// <summary>SIGTERM to the group, SIGKILL after <see cref="Grace"/>; what became of it, and how long it took.</summary>
    public static async Task<(HookEndOutcome, string)> EndAsync(RunningHook hook, TimeProvider time)
    {
        if (hook.Host != Host) return (HookEndOutcome.Elsewhere, $"host {hook.Host}; this one is {Host}");
        if (hook.BootId != BootId) return (HookEndOutcome.Gone, "this host restarted since");
        if (Members(hook).Count == 0) return (HookEndOutcome.Gone, "");
        long started = time.GetTimestamp();
        Signals.TrySend(-hook.ProcessGroup, Signals.Term);
        if (await GoneWithinAsync(hook, time)) return (HookEndOutcome.Terminated, $"gone after {time.GetElapsedTime(started).TotalMilliseconds:0} ms");
        Signals.TrySend(-hook.ProcessGroup, Signals.Kill);
        if (await GoneWithinAsync(hook, time)) return (HookEndOutcome.Killed, $"gone {time.GetElapsedTime(started).TotalMilliseconds:0} ms after SIGTERM");
        return (HookEndOutcome.Survived, $"{string.Join(", ", Members(hook))} still running {time.GetElapsedTime(started).TotalSeconds:0} s after SIGTERM and SIGKILL");
    }

    private static async Task<bool> GoneWithinAsync(RunningHook hook, TimeProvider time)
    {
        long since = time.GetTimestamp();
        while (Members(hook).Count > 0)
        {
            if (time.GetElapsedTime(since) >= Grace) return false;
            await Task.Delay(Poll, time);
        }
        return true;
    }

    /// <summary>The live processes of the hook's group: none when its leader's PID now runs something else.</summary>
    private static List<int> Members(RunningHook hook)
    {
        if (Stat(hook.Pid) is { } leader && !leader.Dead && leader.StartTicks != hook.StartTicks) return [];
        var members = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || Stat(pid) is not { } s) continue;
            if (s.Group == hook.ProcessGroup && !s.Dead && s.StartTicks >= hook.StartTicks) members.Add(pid);
        }
        return members;
    }

    private sealed record ProcStat(bool Dead, int Group, long StartTicks);

    /// <summary>/proc/PID/stat after "pid (comm) ": the name may hold spaces and parentheses, so split after the last ')'. A zombie is dead.</summary>
    private static ProcStat? Stat(int pid)
    {
        if (Read($"/proc/{pid}/stat") is not { } text || text.LastIndexOf(')') is not (>= 0 and var end) || end + 2 > text.Length) return null;
        string[] f = text[(end + 2)..].Split(' ');
        return f.Length > 19 && int.TryParse(f[2], out int group) && long.TryParse(f[19], out long ticks)
            ? new ProcStat(f[0] is "Z" or "X", group, ticks) : null;
    }

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
