namespace Understudy.Core.Journal;

/// <summary>One hook of a list ran (<c>fence</c>, <c>on_failover</c>, <c>on_switchover</c>).</summary>
public abstract record HookEvent : JournalEvent
{
    public required string Trigger { get; init; }
    public required int Index { get; init; }
    public required string Command { get; init; }
    public int? ExitCode { get; init; }
    public bool TimedOut { get; init; }
    public long DurationMs { get; init; }
    public string Output { get; init; } = "";

    /// <summary>How bad a failure is: a failed required fence hook is critical, any other a warning.</summary>
    public string? Severity { get; init; }

    /// <summary>Fence hooks only: whether its failure stops the failover (<c>hooks.fence[].required</c>).</summary>
    public bool? Required { get; init; }
}

public sealed record HookCompleted : HookEvent;

public sealed record HookFailed : HookEvent;

/// <summary>
/// A hook's process as started: its own process group, and what tells it apart from a later process given the
/// same PID (the start time in clock ticks after boot, and the boot) or from one on another host (the machine id).
/// Kept until the hook is journaled as ended.
/// </summary>
public sealed record RunningHook(string Trigger, int Index, long Epoch, string Command, int Pid, int ProcessGroup, long StartTicks, string BootId, string Host)
{
    /// <summary>"fence hook 1 `cmd` (pid 123)", as sentences name it.</summary>
    public string Describe() => $"{Trigger} hook {Index + 1} `{Command}` (pid {Pid})";
}

/// <summary>A hook was started; journaled as soon as it runs, so that if the controller dies meanwhile the next one can end it.</summary>
public sealed record HookStarted(RunningHook Hook) : JournalEvent;

public enum HookEndOutcome { Gone, Terminated, Killed, Survived, Elsewhere }

/// <summary>
/// A hook left running by the previous controller (or leader), seen after a takeover: already gone, ended
/// (SIGTERM, or SIGKILL after the grace), still running after SIGKILL, or on another host where it cannot be ended.
/// </summary>
public sealed record HookEnded(RunningHook Hook, HookEndOutcome Outcome) : JournalEvent;
