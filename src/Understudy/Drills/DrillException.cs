namespace Understudy.Drills;

/// <summary>A drill cannot go on for a reason the user can act on; reported in one line, never as a stack trace.</summary>
public sealed class DrillException(string message) : Exception(message);
