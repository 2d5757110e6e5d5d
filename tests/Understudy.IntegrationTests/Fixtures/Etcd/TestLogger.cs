using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Fixtures.Etcd;

/// <summary>Log lines into the test's output, with the time since the test began, so a failed timing test shows what happened when.</summary>
public sealed class TestLogger<T>(ITestOutputHelper output, System.Diagnostics.Stopwatch clock) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try { output.WriteLine($"{clock.Elapsed.TotalSeconds,7:0.000} {logLevel,-11} {typeof(T).Name}: {formatter(state, exception)}"); }
        catch (InvalidOperationException) { /* the test has ended; a late line from a background loop goes nowhere */ }
    }
}
