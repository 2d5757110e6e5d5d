using Understudy.Core.Detection;

namespace Understudy.Core.Failover;

/// <summary>A fact handed to the decider. Inputs are past-tense.</summary>
public abstract record Input;

/// <summary>A check ended (active) or the proxy could not connect (passive).</summary>
public sealed record CheckObserved(CheckResult Result) : Input;

/// <summary>The executor finished a step of a plan.</summary>
public sealed record StepCompleted(Step Step, bool Succeeded, string Detail) : Input;

/// <summary>The controller (re)started with state rebuilt from the journal.</summary>
public sealed record ControllerStarted : Input;

/// <summary>An operator turned a member failed over from into a standby of <paramref name="Primary"/>, the primary of <paramref name="Epoch"/>.</summary>
public sealed record MemberRejoined(string Member, string Actor, long Epoch, string Primary) : Input;

/// <summary>A person asked for a switchover or failover; <paramref name="To"/> null means the best candidate.</summary>
public sealed record ChangeRequested(string Id, RequestKind Kind, string? To, string Reason, string Actor) : Input;

/// <summary>A person approved an open request.</summary>
public sealed record RequestApproved(string Id, string Actor, string Comment) : Input;

/// <summary>A person rejected (or, as its requester, withdrew) an open request.</summary>
public sealed record RequestRejected(string Id, string Actor, string Comment) : Input;

/// <summary>A person put the service in maintenance: no automatic action until resumed.</summary>
public sealed record Paused(string Actor, string Reason) : Input;

public sealed record Resumed(string Actor, string Reason) : Input;

/// <summary>Time passed with nothing else happening: requests past their approval deadline expire.</summary>
public sealed record ClockTicked : Input;
