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

/// <summary>An operator turned a member failed over from into a standby of the current primary.</summary>
public sealed record MemberRejoined(string Member, string Actor) : Input;
