namespace Understudy.Core.Journal;

/// <summary>A drill began on the event's service: started by the controller's schedule, or by <c>drill run</c> taking the drill lock.</summary>
/// <param name="File">The drill file's path on the machine that runs it.</param>
/// <param name="Pid">The process that runs the drill.</param>
public sealed record DrillStarted(string Name, string File, int Pid) : JournalEvent, IInformational;

/// <summary>A drill that was due (or asked for) did not start; <paramref name="Why"/> says why (pre-flight, the drill lock).</summary>
public sealed record DrillSkipped(string Name, string File, string Why) : JournalEvent, IInformational;
