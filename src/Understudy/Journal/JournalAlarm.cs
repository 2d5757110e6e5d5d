using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// Tells people when the journal stops taking writes: the condition cannot be journaled, so it goes straight onto
/// the feed (the notifier and the metrics read it there; it is never stored) — and, once writes work again, the
/// outage is journaled as <c>journal.recovered</c>, which resolves the alert.
/// </summary>
public sealed partial class JournalAlarm : IHostedService
{
    private readonly JournalHealth _health;
    private readonly JournalFeed _feed;
    private readonly IJournal _journal;
    private readonly string _instance;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    public JournalAlarm(JournalHealth health, JournalFeed feed, IJournal journal, Core.Topology.ControllerSpec controller, TimeProvider time, ILogger<JournalAlarm> logger)
    {
        _health = health;
        _feed = feed;
        _journal = journal;
        _instance = controller.Name;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken ct)
    {
        _health.BecameUnavailable += Unavailable;
        _health.Recovered += Recovered;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        _health.BecameUnavailable -= Unavailable;
        _health.Recovered -= Recovered;
        await _stopping.CancelAsync();
    }

    private void Unavailable(JournalCondition c)
    {
        Log.Unavailable(_logger, c.Cause ?? "");
        _feed.Publish([new JournalUnavailable(c.Cause ?? "", _instance)
        {
            Time = c.Since ?? _time.GetUtcNow(),
            Reason = $"{_instance}: the journal takes no writes ({c.Cause}); nothing is decided or acted on until it does",
        }]);
    }

    private void Recovered(JournalCondition c)
    {
        Log.Recovered(_logger, c.FailedWrites);
        var e = new JournalRecovered(c.Cause ?? "", c.Since ?? default, c.FailedWrites, _instance)
        {
            Time = _time.GetUtcNow(),
            Reason = $"{_instance}: the journal takes writes again after {c.FailedWrites} failed attempt{(c.FailedWrites == 1 ? "" : "s")} since {c.Since:HH:mm:ss} UTC ({c.Cause})",
        };
        // Not from inside the write that succeeded: this is a write of its own, after it.
        _ = Task.Run(async () =>
        {
            try { await _journal.AppendAsync([e], _stopping.Token); }
            catch (OperationCanceledException) { }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 131, Level = LogLevel.Critical, Message = "the journal takes no writes ({Cause}); nothing is decided or acted on until it does; /health answers 503")]
        public static partial void Unavailable(ILogger logger, string cause);

        [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "the journal takes writes again after {Failed} failed attempts")]
        public static partial void Recovered(ILogger logger, long failed);
    }
}
