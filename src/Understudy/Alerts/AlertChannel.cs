using System.Threading.Channels;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;

namespace Understudy.Alerts;

/// <summary>
/// One configured channel at run time: its throttle, and its own queue drained by its own worker, so a
/// slow or dead sink delays only itself. Deliveries are in order (a resolve never overtakes its trigger),
/// each retried with backoff; the outcome is journaled as alert.delivered or alert.delivery_failed.
/// </summary>
public sealed partial class AlertChannel
{
    /// <summary>A sink down for a long time must not grow memory without bound; the oldest waiting notification goes first.</summary>
    private const int QueueCapacity = 1000;

    private readonly IAlertSender _sender;
    private readonly IEventRecorder _recorder;
    private readonly JournalHealth _journal;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<string> _secrets;
    private readonly Channel<Notification> _queue;
    private readonly ResiliencePipeline _retry;

    public AlertChannel(AlertChannelSpec spec, IAlertSender sender, IEventRecorder recorder, JournalHealth journal, TimeProvider time, ILogger logger)
    {
        _journal = journal;
        Spec = spec;
        Throttle = new AlertThrottle(spec.MinInterval);
        _sender = sender;
        _recorder = recorder;
        _time = time;
        _logger = logger;
        _secrets = AlertSenders.Secrets(spec);
        _queue = Channel.CreateBounded<Notification>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => Log.Dropped(logger, spec.Name, dropped.Kind, dropped.Event.Id));
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddTimeout(AlertDefaults.DeliveryTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = AlertDefaults.Attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                Delay = AlertDefaults.FirstRetryDelay,
                ShouldHandle = new PredicateBuilder().Handle<AlertDeliveryException>(e => e.Retryable).Handle<TimeoutRejectedException>(),
                OnRetry = a => { Log.Retry(logger, spec.Name, a.AttemptNumber + 1, Redact(a.Outcome.Exception?.Message)); return default; },
            })
            .AddTimeout(AlertDefaults.AttemptTimeout)
            .Build();
    }

    public AlertChannelSpec Spec { get; }

    /// <summary>Owned by the notifier's loop, which alone offers to it.</summary>
    public AlertThrottle Throttle { get; }

    public void Post(Notification n) => _queue.Writer.TryWrite(n);

    /// <summary>No more notifications: the worker ends once the queue is empty.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await foreach (Notification n in _queue.Reader.ReadAllAsync(stop)) await DeliverAsync(n, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    private async Task DeliverAsync(Notification n, CancellationToken stop)
    {
        int attempts = 0;
        string? error = null;
        try
        {
            await _retry.ExecuteAsync(async ct => { attempts++; await _sender.SendAsync(n, ct); }, stop);
        }
        // Anything else a client library throws is a failed delivery too, not the end of this channel's worker.
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            error = Redact(e is TimeoutRejectedException t ? $"no answer within {t.Timeout.TotalSeconds:0.###} s" : e.Message);
        }
        if (error is null) Log.Delivered(_logger, Spec.Name, n.Kind, n.Event.Id, attempts);
        else Log.Failed(_logger, Spec.Name, n.Kind, n.Event.Id, attempts, error);
        // A journal that takes no writes would hold this worker, and every alert behind it, until it did: the
        // delivery (of the journal-unavailable alert, first of all) is logged instead.
        if (!_journal.Now.Writable)
        {
            Log.NotRecorded(_logger, Spec.Name, n.Kind, n.Event.Id, "the journal takes no writes");
            return;
        }
        try
        {
            await _recorder.NoteAsync(n.Service, Record(n, attempts, error), stop);
        }
        catch (InvalidOperationException e)
        {
            // The controller stopped taking records (it is shutting down): the log line above is the record.
            Log.NotRecorded(_logger, Spec.Name, n.Kind, n.Event.Id, e.Message);
        }
    }

    private IInformational Record(Notification n, int attempts, string? error)
    {
        string reason = error is null
            ? $"{n.Kind} delivered to {Spec.Name}" + (attempts > 1 ? $" at attempt {attempts}" : "")
            : $"{n.Kind} not delivered to {Spec.Name} after {attempts} attempt{(attempts == 1 ? "" : "s")}: {error}";
        DateTimeOffset now = _time.GetUtcNow();
        return error is null
            ? new AlertDelivered(Spec.Name, n.Kind, n.Event.Id, attempts) { Time = now, Member = n.Event.Member, Epoch = n.Event.Epoch, Reason = reason }
            : new AlertDeliveryFailed(Spec.Name, n.Kind, n.Event.Id, attempts, error) { Time = now, Member = n.Event.Member, Epoch = n.Event.Epoch, Reason = reason };
    }

    /// <summary>An error may quote the request it failed on; the URL, key or password never reaches the journal or the log.</summary>
    private string Redact(string? message) =>
        _secrets.Aggregate(message ?? "unknown error", (text, secret) => text.Replace(secret, "***", StringComparison.Ordinal));

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{Channel}: {Kind} (event #{EventId}) delivered after {Attempts} attempt(s)")]
        public static partial void Delivered(ILogger logger, string channel, string kind, long eventId, int attempts);

        [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "{Channel}: attempt {Attempt} failed ({Error}); retrying")]
        public static partial void Retry(ILogger logger, string channel, int attempt, string error);

        [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "{Channel}: {Kind} (event #{EventId}) not delivered after {Attempts} attempt(s): {Error}")]
        public static partial void Failed(ILogger logger, string channel, string kind, long eventId, int attempts, string error);

        [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "{Channel}: the delivery of {Kind} (event #{EventId}) was not journaled: {Why}")]
        public static partial void NotRecorded(ILogger logger, string channel, string kind, long eventId, string why);

        [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "{Channel}: queue full; {Kind} (event #{EventId}) dropped undelivered")]
        public static partial void Dropped(ILogger logger, string channel, string kind, long eventId);
    }
}
