namespace Understudy.Drills.Reports;

/// <summary>
/// An expected problem with a report folder or file (missing, malformed, newer schema). Its message is
/// one line meant for the person at the terminal, so callers print it instead of a stack trace.
/// </summary>
public sealed class ReportException(string message) : Exception(message);
