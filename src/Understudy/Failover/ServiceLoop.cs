using System.Threading.Channels;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;
using Understudy.Traffic;

namespace Understudy.Failover;

/// <summary>
/// The shell around the decider for one service, and the only writer of its journal: reads inputs one at a
/// time from a channel (so the core needs no locks), reads the clock once per input, journals each decision's
/// events before anything acts on them, publishes the route, and hands the plan to the executor. A decision
/// that cannot be journaled is never acted on: the journal retries, and inputs queue up meanwhile.
/// </summary>
public sealed partial class ServiceLoop
{
    /// <summary>How often time alone is handed to the decider (a request's approval deadline).</summary>
    private static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(1);

    private readonly Channel<(Input Input, TaskCompletionSource<Decision>? Answer)> _inputs =
        Channel.CreateUnbounded<(Input, TaskCompletionSource<Decision>?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IJournal _journal;
    private readonly RouteBoard? _routes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ServiceState _state;
    private volatile bool _stopping;

    /// <param name="journal">Appends must be retried until they succeed (<see cref="RetryingJournal"/>).</param>
    public ServiceLoop(ServiceState initial, IJournal journal, RouteBoard? routes, TimeProvider time, ILogger logger)
    {
        _state = initial;
        _journal = journal;
        _routes = routes;
        _time = time;
        _logger = logger;
    }

    /// <summary>The latest state; an immutable snapshot, safe to read from any thread.</summary>
    public ServiceState State => Volatile.Read(ref _state);

    public void Post(Input input) => _inputs.Writer.TryWrite((input, null));

    /// <summary>Hands in an input and waits until its decision is journaled; the decision's events carry their journal ids.</summary>
    public async Task<Decision> SubmitAsync(Input input, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<Decision>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inputs.Writer.TryWrite((input, answer))) throw new InvalidOperationException("the controller is stopping");
        return await answer.Task.WaitAsync(ct);
    }

    /// <summary>Records something that changes no decision (a fault, a drill's verdict, a delivery); returns it as stored.</summary>
    public async Task<JournalEvent> NoteAsync(IInformational record, CancellationToken ct) =>
        (await SubmitAsync(new Noted(record), ct)).Events[0];

    /// <summary>
    /// From here on only step outcomes and notes are decided (what is already under way is recorded), and no new
    /// step starts: a restarted controller resumes from the journal. Checks and the proxy stop feeding the loop.
    /// </summary>
    public void BeginStopping() => _stopping = true;

    /// <summary>No more inputs: <see cref="RunAsync"/> ends once the queue is empty.</summary>
    public void Complete() => _inputs.Writer.TryComplete();

    /// <summary>Decides <paramref name="start"/> first (the restart or the leadership), then every input until <see cref="Complete"/>.</summary>
    public async Task RunAsync(Executor executor, Input start, CancellationToken abort)
    {
        _routes?.Publish(Routing.For(State));
        await HandleAsync(start, executor, abort);
        using ITimer ticks = _time.CreateTimer(_ => { if (!_stopping) Post(new ClockTicked()); }, null, TickEvery, TickEvery);
        try
        {
            await foreach (var (input, answer) in _inputs.Reader.ReadAllAsync(abort))
            {
                if (_stopping && input is not (StepCompleted or HookFinished or Noted))
                {
                    answer?.TrySetException(new InvalidOperationException("the controller is stopping"));
                    continue;
                }
                Decision? decision = await HandleAsync(input, executor, abort);
                if (answer is null) continue;
                if (decision is null) answer.TrySetException(new InvalidOperationException("the decider failed on this input; it is journaled as controller.error"));
                else answer.TrySetResult(decision);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested) { }
    }

    private async Task<Decision?> HandleAsync(Input input, Executor executor, CancellationToken abort)
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
            await _journal.AppendAsync([new UnexpectedError(input.ToString())
            {
                Time = now, Service = State.Name, Epoch = State.Epoch, Reason = $"unexpected error, please report: {e.Message}",
            }], abort);
            return null;
        }

        if (!decision.Events.IsEmpty) decision = decision with { Events = [.. await _journal.AppendAsync(decision.Events, abort)] };
        Volatile.Write(ref _state, decision.State);
        _routes?.Publish(Routing.For(decision.State));
        // One entry per journaled event, named by its type, so logs and journal read the same.
        foreach (JournalEvent e in decision.Events) Log.Journaled(_logger, e.Service, e.Epoch, e.Type, e.Member ?? "", e.Actor, e.Reason);
        if (!_stopping) executor.Execute(decision.Plan);
        return decision;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Service} (epoch {Epoch}) {Type} {Member} by {Actor}: {Reason}")]
        public static partial void Journaled(ILogger logger, string service, long epoch, string type, string member, string actor, string reason);

        [LoggerMessage(EventId = 101, Level = LogLevel.Critical, Message = "{Service}: the decider failed on {Input}; state kept, please report")]
        public static partial void DecideCrashed(ILogger logger, Exception e, string service, string input);
    }
}
