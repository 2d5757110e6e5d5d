using Polly;
using Polly.Retry;
using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// Retries failed appends with backoff until they succeed or the caller stops. Acting on an
/// unjournaled decision could repeat a promotion after a restart, so a failing journal stalls its
/// writers instead of letting them go on without a record — and says so through <see cref="JournalHealth"/>.
/// </summary>
public sealed partial class RetryingJournal(IJournal inner, JournalHealth health, TimeProvider time, ILogger logger) : IJournal
{
    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromSeconds(2),
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            OnRetry = a =>
            {
                health.WriteFailed(a.Outcome.Exception!);
                Log.Retry(logger, a.Outcome.Exception, a.AttemptNumber + 1);
                return default;
            },
        })
        .Build();

    public async Task<IReadOnlyList<JournalEvent>> AppendAsync(IReadOnlyList<JournalEvent> events, CancellationToken ct = default)
    {
        IReadOnlyList<JournalEvent> stored = await _retry.ExecuteAsync(async token => await inner.AppendAsync(events, token), ct);
        health.WriteSucceeded();
        return stored;
    }

    public Task<IReadOnlyList<JournalEvent>> ReadAsync(JournalQuery query, CancellationToken ct = default) => inner.ReadAsync(query, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, Level = LogLevel.Error, Message = "journal write failed; retry {Attempt}, nothing acts until it succeeds")]
        public static partial void Retry(ILogger logger, Exception? e, int attempt);
    }
}
