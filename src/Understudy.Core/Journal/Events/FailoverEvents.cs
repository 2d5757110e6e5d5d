namespace Understudy.Core.Journal;

/// <summary>The epoch advanced (this event's epoch) with <paramref name="To"/> as primary; <paramref name="From"/> is fenced next and needs a rejoin.</summary>
public sealed record FailoverStarted(string From, string To, string? Request = null) : JournalEvent;

/// <summary>A new controller or leader carries on with a failover left half-done.</summary>
public sealed record FailoverResumed : JournalEvent, IInformational;

/// <summary>The primary is down but nothing automatic follows (paused, manual mode, cooldown); the reason says which.</summary>
public sealed record FailoverHeld : JournalEvent;

public sealed record FailoverCompleted(string From, string To, long DurationMs, string? Request = null) : JournalEvent;

/// <summary>A fence, promotion or switch failed: nothing is routable until an operator acts.</summary>
public sealed record FailoverFailed(string From, string To, string? Request = null) : JournalEvent;

/// <summary>Traffic goes to the event's member, the primary of its epoch.</summary>
public sealed record TrafficSwitched : JournalEvent;

/// <summary>The primary is down and no standby can take over (rule 5).</summary>
public sealed record ServiceDegraded : JournalEvent;

/// <summary>The primary is up again after a hold or degradation; nothing was failed over.</summary>
public sealed record ServiceRestored : JournalEvent;

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

    /// <summary>How bad a failure is: a failed fence hook is critical, a later one a warning.</summary>
    public string? Severity { get; init; }
}

public sealed record HookCompleted : HookEvent;

public sealed record HookFailed : HookEvent;
