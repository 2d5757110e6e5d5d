using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>A fact handed to the decider. Inputs are past-tense.</summary>
public abstract record Input;

/// <summary>A check ended (active) or the proxy could not connect (passive).</summary>
public sealed record CheckObserved(CheckResult Result) : Input;

/// <summary>With several controllers, what the other live instances' checks say changed (or who is live did).</summary>
public sealed record PeersObserved(PeerViews Views) : Input;

/// <summary>The executor finished a step of a plan.</summary>
public sealed record StepCompleted(Step Step, bool Succeeded, string Detail) : Input
{
    /// <summary><see cref="DemoteMember"/>: bytes of writes the demoted server held that the primary lacked; null when unknown.</summary>
    public long? LostBytes { get; init; }

    /// <summary><see cref="StopMember"/>: the stopped server's shutdown checkpoint location.</summary>
    public long? Lsn { get; init; }
}

/// <summary>One hook of a <see cref="RunHooks"/> step (or of a fence) ended; the journal records each.</summary>
public sealed record HookFinished(HookTrigger Trigger, string NewPrimary, long Epoch, int Index, HookOutcome Outcome) : Input;

/// <summary>A hook's process started (in its own process group); journaled so that a later controller can end it if it is left running.</summary>
public sealed record HookLaunched(RunningHook Hook) : Input;

/// <summary>A hook left running by a previous controller was looked for and, if still running here, ended.</summary>
public sealed record StaleHookEnded(RunningHook Hook, HookEndOutcome Outcome, string Detail) : Input;

/// <summary>What running one hook command gave.</summary>
public sealed record HookOutcome(string Command, bool Succeeded, int? ExitCode, bool TimedOut, TimeSpan Duration, string Output, string Summary);

/// <summary>A single controller (re)started with its state folded from the journal.</summary>
public sealed record StateRebuilt(string Version, int Pid) : Input;

/// <summary>With several controllers, this instance became the leader with the state folded from the shared log.</summary>
public sealed record LeadershipGained(string Instance, long Term) : Input;

/// <summary>An operator's rejoin of a member failed over from ended; it was made a standby of <paramref name="Primary"/>, the primary of <paramref name="Epoch"/>, if it succeeded.</summary>
public sealed record RejoinFinished(string Member, string Actor, long Epoch, string Primary, bool Succeeded, string Detail) : Input;

/// <summary>A person asked for a switchover or failover; <paramref name="To"/> null means the best candidate.</summary>
/// <param name="Force">Carry a failover stopped by a failed required fence hook past it, accepting that the old primary may still run.</param>
/// <param name="Window">A switchover to run at a set time (<c>--at</c>) or in the service's next maintenance window, once approved; null: at once.</param>
public sealed record ChangeRequested(string Id, RequestKind Kind, string? To, string Reason, string Actor, bool Force = false, ScheduledWindow? Window = null) : Input;

/// <summary>A person approved an open request.</summary>
public sealed record ApprovalGiven(string Id, string Actor, string Comment) : Input;

/// <summary>A person rejected (or, as its requester, withdrew) an open request.</summary>
public sealed record RejectionGiven(string Id, string Actor, string Comment) : Input;

/// <summary>A person put the service in maintenance: no automatic action until resumed.</summary>
public sealed record Paused(string Actor, string Reason) : Input;

public sealed record Resumed(string Actor, string Reason) : Input;

/// <summary>Enough has been journaled since the last snapshot: the state is written down whole, so the log before it may go.</summary>
public sealed record SnapshotDue(long EventsSince) : Input;

/// <summary>Time passed with nothing else happening: requests past their approval deadline expire.</summary>
public sealed record ClockTicked : Input;

/// <summary>
/// Something to record that changes no decision (a fault injected, a drill's verdict, an alert delivered):
/// endpoints and the notifier hand these in, so the loop stays the journal's one writer.
/// </summary>
public sealed record Noted(JournalEvent Event) : Input
{
    public Noted(IInformational informational) : this((JournalEvent)informational) { }
}
