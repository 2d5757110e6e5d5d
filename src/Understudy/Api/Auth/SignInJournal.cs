using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Api.Auth;

/// <summary>
/// Journals failed sign-ins as one <c>api.auth_failed</c> per <see cref="DigestWindow"/> at most: the first failure
/// opens a window, and what it counted is recorded when it ends (or when the controller stops).
/// </summary>
public sealed partial class SignInJournal(SignInLimits limits, IEventRecorder recorder, TimeProvider time, ILogger<SignInJournal> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                await limits.WindowOpened.WaitAsync(stopping);
                await Task.Delay(DigestWindow.Length, time, stopping);
                await RecordAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await RecordAsync(cancellationToken);
    }

    private async Task RecordAsync(CancellationToken ct)
    {
        if (limits.Tally.Take(time.GetUtcNow()) is not { } record) return;
        try
        {
            await recorder.NoteAsync("", record, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Counted in the metrics all the same; a journal that cannot take it must not stop the controller.
            Log.NotRecorded(logger, e, record.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "{Count} failed sign-ins could not be journaled")]
        public static partial void NotRecorded(ILogger logger, Exception e, int count);
    }
}
