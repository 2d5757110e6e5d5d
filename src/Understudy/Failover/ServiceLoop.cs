using System.Collections.Immutable;
using System.Threading.Channels;
using Polly;
using Polly.Retry;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;
using Understudy.Traffic;

namespace Understudy.Failover;

/// <summary>
/// The shell around the decider for one service: reads inputs one at a time from a channel (so the core
/// needs no locks), reads the clock once per input, journals each decision before anything acts on it,
/// publishes the route, and hands the plan to the executor.
/// </summary>
public sealed partial class ServiceLoop
{
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IJournal _journal;
    private readonly RouteBoard? _routes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _journalRetry;
    private ServiceState _state;

    public ServiceLoop(ServiceState initial, IJournal journal, RouteBoard? routes, TimeProvider time, ILogger logger)
    {
        _state = initial;
        _journal = journal;
        _routes = routes;
        _time = time;
        _logger = logger;
        // Acting on an unjournaled decision could repeat a promotion after a restart, so a failing
        // journal stalls the loop (inputs queue up) and is retried until it works or we stop.
        _journalRetry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(50),
                MaxDelay = TimeSpan.FromSeconds(2),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = a => { Log.JournalRetry(_logger, a.Outcome.Exception, State.Name, a.AttemptNumber + 1); return default; },
            })
            .Build();
    }

    /// <summary>The latest state; an immutable snapshot, safe to read from any thread.</summary>
    public ServiceState State => Volatile.Read(ref _state);

    /// <summary>Raised after events are journaled, with their ids.</summary>
    public event Action<IReadOnlyList<JournalEvent>>? Journaled;

    public void Post(Input input) => _inputs.Writer.TryWrite(input);

    public async Task RunAsync(Executor executor, CancellationToken stopping)
    {
        _routes?.Publish(Routing.For(State));
        await HandleAsync(new ControllerStarted(), executor, stopping);
        try
        {
            await foreach (Input input in _inputs.Reader.ReadAllAsync(stopping))
                await HandleAsync(input, executor, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    private async Task HandleAsync(Input input, Executor executor, CancellationToken stopping)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Decision decision;
        try
        {
            decision = Decider.Decide(State, input, now);
        }
        catch (Exception e)
        {
            // Patroni's run_cycle stance: report, stay safe, keep running on the old state.
            Log.DecideCrashed(_logger, e, State.Name, input.GetType().Name);
            await AppendAsync([new JournalEvent(now, State.Name, null, State.Epoch, EventTypes.UnexpectedError, Actors.Controller,
                ImmutableDictionary<string, object?>.Empty.Add("reason", $"unexpected error, please report: {e.Message}").Add("input", input.ToString()))], stopping);
            return;
        }

        if (!decision.Events.IsEmpty) await AppendAsync(decision.Events, stopping);
        Volatile.Write(ref _state, decision.State);
        _routes?.Publish(Routing.For(decision.State));
        if (decision.Changed) Log.Decided(_logger, decision.State.Name, decision.State.Epoch, decision.Reason);
        executor.Execute(decision.Plan, stopping);
    }

    private async Task AppendAsync(IReadOnlyList<JournalEvent> events, CancellationToken stopping)
    {
        IReadOnlyList<JournalEvent> stored = await _journalRetry.ExecuteAsync(
            async ct => await _journal.AppendAsync(events, ct), stopping);
        Journaled?.Invoke(stored);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Service} (epoch {Epoch}): {Reason}")]
        public static partial void Decided(ILogger logger, string service, long epoch, string reason);

        [LoggerMessage(EventId = 101, Level = LogLevel.Critical, Message = "{Service}: the decider failed on {Input}; state kept, please report")]
        public static partial void DecideCrashed(ILogger logger, Exception e, string service, string input);

        [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "{Service}: journal write failed; retry {Attempt}, nothing acts until it succeeds")]
        public static partial void JournalRetry(ILogger logger, Exception? e, string service, int attempt);
    }
}
