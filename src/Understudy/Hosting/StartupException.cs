namespace Understudy.Hosting;

/// <summary>The controller cannot start for a reason the user can fix; printed without a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);
